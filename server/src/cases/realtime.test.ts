// The cases push: changed cases go to the dashboard's 'fleet' room, and — only when other instances are there —
// the sites whose cases changed go to the peers, whose case service then reloads those sites.
import { EventEmitter } from 'node:events';
import type { Server } from 'socket.io';
import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '@camfleet/shared';
import { attachCasesRealtime } from './realtime.ts';
import type { CaseService } from './service.ts';

/** The parts of socket.io's Server the push uses, recorded. */
function fakeIo(servers: number) {
  const toClients: unknown[] = [];
  const toPeers: unknown[][] = [];
  const peerListeners = new Map<string, (msg: unknown) => void>();
  const io = {
    to: (room: string) => ({ emit: (ev: string, data: unknown) => toClients.push([room, ev, data]) }),
    of: () => ({ adapter: { serverCount: () => Promise.resolve(servers) } }),
    serverSideEmit: (ev: string, ...args: unknown[]) => toPeers.push([ev, ...args]),
    on: (ev: string, fn: (msg: unknown) => void) => peerListeners.set(ev, fn),
    off: (ev: string) => peerListeners.delete(ev),
  };
  return { io: io as unknown as Server, toClients, toPeers, peerListeners };
}

function fakeService() {
  const reloaded: string[][] = [];
  const service = Object.assign(new EventEmitter(), { peerChanged: (sites: readonly string[]) => reloaded.push([...sites]) });
  return { service: service as unknown as CaseService, emitter: service, reloaded };
}

const record = (id: number, site: string) => ({ id, site, rootCause: 'cam1', state: 'open' }) as unknown as CaseRecord;
const settle = () => new Promise((r) => setImmediate(r));

describe('attachCasesRealtime', () => {
  it('pushes changed cases to the fleet room and names their sites to the peers', async () => {
    const { io, toClients, toPeers, peerListeners } = fakeIo(2);
    const { service, emitter, reloaded } = fakeService();
    const stop = attachCasesRealtime(io, service);
    emitter.emit('changed', [record(1, 'shop-1'), record(2, 'shop-2')]);
    emitter.emit('changed', [record(1, 'shop-1')]);
    // A peer says it changed cases of shop-9 (a malformed message changes nothing).
    peerListeners.get('camfleet:cases')!({ sites: ['shop-9', 7] });
    peerListeners.get('camfleet:cases')!(null);
    expect(reloaded).toEqual([['shop-9'], []]);
    stop(); // flushes
    await settle();
    expect(toClients).toHaveLength(1);
    expect((toClients[0] as [string, string, { id: number }[]])[2].map((c) => c.id)).toEqual([1, 2]);
    expect(toPeers).toEqual([['camfleet:cases', { sites: ['shop-1', 'shop-2'] }]]);
    expect(peerListeners.size).toBe(0);
  });

  it('tells no peer when the instance is alone', async () => {
    const { io, toClients, toPeers } = fakeIo(1);
    const { service, emitter } = fakeService();
    const stop = attachCasesRealtime(io, service);
    emitter.emit('changed', [record(3, 'shop-3')]);
    stop();
    await settle();
    expect(toClients).toHaveLength(1);
    expect(toPeers).toEqual([]);
  });
});
