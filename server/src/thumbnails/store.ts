// The latest thumbnail of each camera (docs/image-health.md §5), in memory only: a size-capped LRU. Thumbnails
// arrive on telemetry samples and are served at GET /api/v1/sites/:site/devices/:device/thumbnail; they are
// never written to the time-series store (handlers.ts stores `metrics` only) nor to the database.
import type { DeviceSample, DeviceStatus } from '@camfleet/shared';

/** Default cap: ~5,000 cameras at a typical 10–15 KB per thumbnail. */
export const DEFAULT_THUMBNAIL_CACHE_BYTES = 64 * 1024 * 1024;

export interface StoredThumbnail {
  jpeg: Buffer;
  /** Grab time, ms since epoch. */
  at: number;
  width?: number;
  height?: number;
}

const key = (site: string, device: string) => `${site}\u0000${device}`;
const isJpeg = (b: Buffer) => b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Where a device's thumbnail is served; `at` in the query makes each new picture a new URL for the browser. */
export function thumbnailUrl(site: string, device: string, atMs: number): string {
  return `/api/v1/sites/${encodeURIComponent(site)}/devices/${encodeURIComponent(device)}/thumbnail?at=${atMs}`;
}

/** DeviceStatus.thumbnail for a sample that carries one (the store has already checked it). */
export function thumbnailRef(site: string, s: DeviceSample): DeviceStatus['thumbnail'] | undefined {
  if (!s.thumbnail) return undefined;
  return { url: thumbnailUrl(site, s.device, Date.parse(s.thumbnail.at)), at: s.thumbnail.at };
}

/** A restored status must not point at a picture this process never received. */
export function withoutThumbnail<T extends { thumbnail?: unknown }>(status: T): T {
  if (status.thumbnail === undefined) return status;
  const copy = { ...status };
  delete copy.thumbnail;
  return copy;
}

export class ThumbnailStore {
  private readonly entries = new Map<string, StoredThumbnail>();
  private total = 0;
  accepted = 0;
  rejected = 0;
  evicted = 0;

  constructor(readonly maxBytes = DEFAULT_THUMBNAIL_CACHE_BYTES) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Takes the thumbnails of a telemetry batch. One that is not a JPEG is removed from its sample, so the
   * device's status never points at a picture that cannot be served; an older one than held (a replayed batch)
   * is ignored.
   */
  accept(site: string, samples: DeviceSample[]): void {
    for (const s of samples) {
      if (!s.thumbnail) continue;
      const at = Date.parse(s.thumbnail.at);
      const jpeg = Buffer.from(s.thumbnail.base64, 'base64');
      if (!Number.isFinite(at) || !isJpeg(jpeg)) {
        this.rejected++;
        delete s.thumbnail;
        continue;
      }
      const held = this.entries.get(key(site, s.device));
      if (held && held.at > at) continue;
      this.put(site, s.device, { jpeg, at, ...(s.thumbnail.width ? { width: s.thumbnail.width } : {}), ...(s.thumbnail.height ? { height: s.thumbnail.height } : {}) });
      this.accepted++;
    }
  }

  put(site: string, device: string, t: StoredThumbnail): void {
    const k = key(site, device);
    const old = this.entries.get(k);
    if (old) {
      this.total -= old.jpeg.length;
      this.entries.delete(k);
    }
    if (t.jpeg.length > this.maxBytes) return;
    this.entries.set(k, t);
    this.total += t.jpeg.length;
    // Map order is insertion order: the first entries are the least recently used.
    for (const [oldest, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= e.jpeg.length;
      this.evicted++;
    }
  }

  get(site: string, device: string): StoredThumbnail | undefined {
    const k = key(site, device);
    const t = this.entries.get(k);
    if (t) {
      this.entries.delete(k);
      this.entries.set(k, t);
    }
    return t;
  }
}
