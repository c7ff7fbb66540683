// Fan-out of one camera's MPEG-TS to its viewers (docs/live-view.md). Every viewer gets whole 188-byte
// packets as binary WebSocket messages, and starts at a keyframe: a late joiner first gets the packets since
// the latest keyframe (so a picture shows at once instead of after up to a GOP), a viewer joining before
// the first keyframe waits for it. A viewer too slow to take the stream is cut back to the next keyframe
// rather than handed a stream with holes (which would smear the picture until the next keyframe anyway).
import { TsPacketizer, TS_PACKET, isKeyframeStart } from './ts.ts';

/** The part of a `ws` WebSocket the fan-out needs. */
export interface VideoViewer {
  readonly bufferedAmount: number;
  send(data: Buffer, opts: { binary: true }): void;
}

/** Unsent bytes past which a viewer drops to the next keyframe. */
export const VIEWER_BACKLOG_MAX = 2 * 1024 * 1024;
/** The keyframe cache is dropped past this (a stream without keyframes must not grow memory). */
export const GOP_CACHE_MAX = 1024 * 1024;

export class TsFanout {
  private readonly packetizer = new TsPacketizer();
  /** Packets from the latest keyframe on; empty until the first keyframe or after an overlong GOP. */
  private gop: Buffer[] = [];
  private gopBytes = 0;
  /** Viewers and whether they are in step (receiving from a keyframe on). */
  private readonly viewers = new Map<VideoViewer, boolean>();
  packets = 0;
  keyframes = 0;

  get resyncs(): number {
    return this.packetizer.resyncs;
  }

  add(viewer: VideoViewer): void {
    if (this.gop.length === 0) {
      this.viewers.set(viewer, false);
      return;
    }
    viewer.send(this.gop.length === 1 ? this.gop[0]! : Buffer.concat(this.gop, this.gopBytes), { binary: true });
    this.viewers.set(viewer, true);
  }

  remove(viewer: VideoViewer): void {
    this.viewers.delete(viewer);
  }

  /** Bytes from the ingest, cut anywhere. */
  push(chunk: Buffer): void {
    const batch = this.packetizer.push(chunk);
    if (batch.length === 0) return;
    let first = -1;
    let last = -1;
    for (let off = 0; off < batch.length; off += TS_PACKET) {
      if (!isKeyframeStart(batch, off)) continue;
      if (first < 0) first = off;
      last = off;
      this.keyframes++;
    }
    this.packets += batch.length / TS_PACKET;
    this.remember(batch, last);
    for (const [viewer, inStep] of this.viewers) {
      if (viewer.bufferedAmount > VIEWER_BACKLOG_MAX) {
        if (inStep) this.viewers.set(viewer, false);
        continue;
      }
      if (inStep) viewer.send(batch, { binary: true });
      else if (first >= 0) {
        viewer.send(first === 0 ? batch : batch.subarray(first), { binary: true });
        this.viewers.set(viewer, true);
      }
    }
  }

  private remember(batch: Buffer, lastKeyframe: number): void {
    if (lastKeyframe >= 0) {
      const tail = lastKeyframe === 0 ? batch : batch.subarray(lastKeyframe);
      this.gop = [tail];
      this.gopBytes = tail.length;
    } else if (this.gop.length > 0) {
      this.gop.push(batch);
      this.gopBytes += batch.length;
    }
    if (this.gopBytes > GOP_CACHE_MAX) {
      this.gop = [];
      this.gopBytes = 0;
    }
  }
}
