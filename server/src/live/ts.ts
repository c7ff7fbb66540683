// MPEG transport stream framing for the live view (docs/live-view.md). The agent's chunked POST cuts
// ffmpeg's output wherever TCP does, but JSMpeg's demuxer must be fed from a packet boundary, so the hub
// re-cuts the bytes into whole 188-byte packets here and recognises the packets where a viewer can
// start decoding (a keyframe: the MPEG-1 sequence header ffmpeg writes before every I-picture).

export const TS_PACKET = 188;
const SYNC = 0x47;

/** Regroups a byte stream into runs of whole TS packets; bytes outside the packet grid are dropped. */
export class TsPacketizer {
  private rest: Buffer = Buffer.alloc(0);
  /** Whether `rest` starts on the packet grid (otherwise a sync byte must be confirmed 188 bytes on). */
  private locked = false;
  /** How often the stream lost sync (corrupt input); logged when the stream ends. */
  resyncs = 0;

  /** Whole packets completed by this chunk (empty when none), as one buffer of n × 188 bytes. */
  push(chunk: Buffer): Buffer {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const runs: Buffer[] = [];
    let off = 0;
    let runStart = -1;
    for (;;) {
      if (!this.locked) {
        const at = findSync(buf, off);
        if (at < 0) {
          // Every earlier position failed; a sync byte in the last 188 may be confirmed by the next chunk.
          off = Math.max(off, buf.length - TS_PACKET);
          break;
        }
        off = at;
        this.locked = true;
      }
      if (buf.length - off < TS_PACKET) break;
      if (buf[off] !== SYNC) {
        if (runStart >= 0) runs.push(buf.subarray(runStart, off));
        runStart = -1;
        this.locked = false;
        this.resyncs++;
        off++;
        continue;
      }
      if (runStart < 0) runStart = off;
      off += TS_PACKET;
    }
    if (runStart >= 0) runs.push(buf.subarray(runStart, off)); // a run only ever grows by whole packets
    // A copy: the remainder is small, and keeping a view would pin the whole chunk until the next one.
    this.rest = Buffer.from(buf.subarray(off));
    if (runs.length === 0) return Buffer.alloc(0);
    return runs.length === 1 ? runs[0]! : Buffer.concat(runs);
  }
}

/** First offset ≥ from holding a sync byte confirmed by another one a packet later, or -1. */
function findSync(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(SYNC, from); i >= 0 && i + TS_PACKET < buf.length; i = buf.indexOf(SYNC, i + 1)) {
    if (buf[i + TS_PACKET] === SYNC) return i;
  }
  return -1;
}

/**
 * Whether the packet at `off` starts a video PES whose picture data begins with an MPEG-1 sequence header
 * (00 00 01 B3) — the point from which a decoder that joins late can decode without garbage.
 */
export function isKeyframeStart(buf: Buffer, off: number): boolean {
  const end = off + TS_PACKET;
  if (end > buf.length || buf[off] !== SYNC) return false;
  if (!(buf[off + 1]! & 0x40)) return false; // payload_unit_start_indicator: a PES begins here
  const control = (buf[off + 3]! >> 4) & 0x3;
  if (!(control & 0x1)) return false; // no payload
  let p = off + 4;
  if (control & 0x2) p += 1 + buf[off + 4]!; // skip the adaptation field (PCR, random-access flag)
  if (p + 9 > end || buf[p] !== 0 || buf[p + 1] !== 0 || buf[p + 2] !== 1) return false;
  const streamId = buf[p + 3]!;
  if (streamId < 0xe0 || streamId > 0xef) return false; // not a video stream
  const es = p + 9 + buf[p + 8]!; // after the PES header and its optional fields (PTS)
  return es + 4 <= end && buf[es] === 0 && buf[es + 1] === 0 && buf[es + 2] === 1 && buf[es + 3] === 0xb3;
}
