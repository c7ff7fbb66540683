// The thumbnail store (size-capped LRU, memory only), the device status pointing at it, and the endpoint.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { DeviceSample } from '@camfleet/shared';
import thumbnailsApi from '../api/thumbnails.ts';
import errorHandler from '../http/error-handler.ts';
import { FleetState } from '../state/fleet-state.ts';
import { ThumbnailStore, thumbnailUrl } from './store.ts';

/** A 16×9 slate-blue JPEG. */
const jpeg = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAJABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFAEBAAAAAAAAAAAAAAAAAAAABP/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AJ4BYz//2Q==',
  'base64',
);

const at = (s: number) => new Date(Date.UTC(2026, 2, 2, 1, 0, s)).toISOString();
const sample = (device: string, t: number, base64 = jpeg.toString('base64')): DeviceSample => ({
  device, at: at(t), reachable: true, conditions: [], thumbnail: { mime: 'image/jpeg', at: at(t), width: 16, height: 9, base64 },
});

describe('ThumbnailStore', () => {
  it('keeps the newest picture per device and drops what is not a JPEG from the sample', () => {
    const store = new ThumbnailStore();
    const bad = sample('cam2', 1, Buffer.from('not a picture').toString('base64'));
    store.accept('s1', [sample('cam1', 2), bad]);
    expect(store.get('s1', 'cam1')?.jpeg.equals(jpeg)).toBe(true);
    expect(store.get('s1', 'cam2')).toBeUndefined();
    expect(bad.thumbnail).toBeUndefined();
    expect(store.rejected).toBe(1);
    store.accept('s1', [sample('cam1', 1, Buffer.concat([jpeg, Buffer.from([0])]).toString('base64'))]); // an older, replayed one
    expect(store.get('s1', 'cam1')?.at).toBe(Date.parse(at(2)));
  });

  it('evicts the least recently used pictures beyond its byte cap', () => {
    const store = new ThumbnailStore(jpeg.length * 2);
    store.accept('s1', [sample('a', 1), sample('b', 1)]);
    store.get('s1', 'a'); // a is now the most recently used
    store.accept('s1', [sample('c', 1)]);
    expect(store.size).toBe(2);
    expect(store.bytes).toBeLessThanOrEqual(jpeg.length * 2);
    expect(store.get('s1', 'b')).toBeUndefined();
    expect(store.get('s1', 'a')).toBeDefined();
    expect(store.evicted).toBe(1);
  });
});

describe('thumbnail in the device status and at its endpoint', () => {
  it('points the status at the picture, serves it as JPEG, answers 404 JSON otherwise; a restored status points nowhere', async () => {
    const fleet = new FleetState(60_000);
    const store = new ThumbnailStore();
    const batch = [sample('cam1', 5), { device: 'gw', at: at(5), reachable: true, conditions: [] } as DeviceSample];
    store.accept('s1', batch);
    fleet.applySamples('s1', batch);
    const status = fleet.deviceStatus('s1', 'cam1')!;
    expect(status.thumbnail).toEqual({ url: thumbnailUrl('s1', 'cam1', Date.parse(at(5))), at: at(5) });
    expect(fleet.deviceStatus('s1', 'gw')?.thumbnail).toBeUndefined();

    const app = Fastify();
    await app.register(errorHandler);
    await app.register(thumbnailsApi, { thumbnails: store, fleet });
    const ok = await app.inject({ url: status.thumbnail!.url });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/jpeg');
    expect(ok.rawPayload.equals(jpeg)).toBe(true);
    const again = await app.inject({ url: status.thumbnail!.url, headers: { 'if-none-match': String(ok.headers.etag) } });
    expect(again.statusCode).toBe(304);
    const none = await app.inject({ url: '/api/v1/sites/s1/devices/gw/thumbnail' });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ error: { code: 'not-found' } });
    const unknown = await app.inject({ url: '/api/v1/sites/s1/devices/nope/thumbnail' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'unknown-device' } });
    await app.close();

    // After a restart the memory store is empty: the restored status must not point at a picture.
    const restarted = new FleetState(60_000);
    restarted.restore([], [{ ...status }]);
    expect(restarted.deviceStatus('s1', 'cam1')?.thumbnail).toBeUndefined();
  });
});
