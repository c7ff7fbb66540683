// TS framing and fan-out of the live view: viewers only ever see whole 188-byte packets, and start at a
// keyframe whether they join first, late, or fall behind.
import { describe, expect, it } from 'vitest';
import { TsFanout, VIEWER_BACKLOG_MAX, type VideoViewer } from './fanout.ts';
import { TS_PACKET, TsPacketizer, isKeyframeStart } from './ts.ts';

/** One TS packet on the video PID; `pes` starts a PES (picture) whose data begins with `es`. */
function packet(opts: { pes?: boolean; es?: number[]; adaptation?: boolean; streamId?: number; fill?: number } = {}): Buffer {
  const p = Buffer.alloc(TS_PACKET, opts.fill ?? 0xff);
  p[0] = 0x47;
  p[1] = (opts.pes ? 0x40 : 0) | 0x01; // PID 0x100
  p[2] = 0x00;
  p[3] = opts.adaptation ? 0x30 : 0x10;
  let o = 4;
  if (opts.adaptation) {
    p[4] = 7; // adaptation field length (flags + PCR)
    p[5] = 0x50; // random access + PCR
    o = 4 + 1 + 7;
  }
  if (opts.pes) {
    // PES header: start code, stream id, length 0, flags, 5 bytes of PTS.
    Buffer.from([0, 0, 1, opts.streamId ?? 0xe0, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1]).copy(p, o);
    Buffer.from(opts.es ?? [0, 0, 1, 0x00]).copy(p, o + 14);
  }
  return p;
}
const key = (adaptation = true) => packet({ pes: true, adaptation, es: [0, 0, 1, 0xb3] });
const picture = () => packet({ pes: true, es: [0, 0, 1, 0x00] });
const body = (fill = 0x11) => packet({ fill });

/** Cuts a buffer at pseudo-random points, the way TCP would. */
function cut(buf: Buffer, seed = 7): Buffer[] {
  const out: Buffer[] = [];
  let s = seed;
  for (let o = 0; o < buf.length;) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (s % 700);
    out.push(buf.subarray(o, o + n));
    o += n;
  }
  return out;
}

function isWholePackets(b: Buffer): boolean {
  if (b.length % TS_PACKET !== 0) return false;
  for (let o = 0; o < b.length; o += TS_PACKET) if (b[o] !== 0x47) return false;
  return true;
}

class FakeViewer implements VideoViewer {
  bufferedAmount = 0;
  readonly got: Buffer[] = [];
  send(data: Buffer): void {
    this.got.push(Buffer.from(data));
  }
  all(): Buffer {
    return Buffer.concat(this.got);
  }
}

describe('TsPacketizer', () => {
  it('regroups a stream cut anywhere into the same bytes, in whole packets', () => {
    const stream = Buffer.concat([key(), body(), body(), picture(), body(), key(false), body()]);
    const t = new TsPacketizer();
    const out = cut(stream).map((c) => t.push(c)).filter((b) => b.length > 0);
    for (const b of out) expect(isWholePackets(b)).toBe(true);
    expect(Buffer.concat(out).equals(stream)).toBe(true);
    expect(t.resyncs).toBe(0);
  });

  it('drops bytes off the packet grid and finds it again', () => {
    const garbage = Buffer.from('not a transport stream, but 0x47 is G: GGG');
    const stream = Buffer.concat([garbage, key(), body(), body(), Buffer.from([1, 2, 3]), picture(), body(), body()]);
    const t = new TsPacketizer();
    const out = Buffer.concat(cut(stream, 3).map((c) => t.push(c)));
    expect(isWholePackets(out)).toBe(true);
    expect(out.equals(Buffer.concat([key(), body(), body(), picture(), body(), body()]))).toBe(true);
    expect(t.resyncs).toBe(1);
  });
});

describe('isKeyframeStart', () => {
  it('knows a PES starting with a sequence header, with or without adaptation field', () => {
    expect(isKeyframeStart(key(true), 0)).toBe(true);
    expect(isKeyframeStart(key(false), 0)).toBe(true);
    expect(isKeyframeStart(picture(), 0)).toBe(false);
    expect(isKeyframeStart(body(), 0)).toBe(false);
    expect(isKeyframeStart(packet({ pes: true, streamId: 0xc0, es: [0, 0, 1, 0xb3] }), 0)).toBe(false); // audio
    expect(isKeyframeStart(Buffer.concat([body(), key()]), TS_PACKET)).toBe(true);
  });
});

describe('TsFanout', () => {
  it('starts every viewer at a keyframe and sends only whole packets', () => {
    const f = new TsFanout();
    const early = new FakeViewer();
    f.add(early);
    f.push(Buffer.concat([body(), picture(), body()])); // mid-GOP: nothing to start from
    expect(early.got).toHaveLength(0);
    const gop = Buffer.concat([key(), body(), picture(), body()]);
    f.push(Buffer.concat([body(0x22), gop.subarray(0, 300)]));
    f.push(gop.subarray(300));
    expect(early.all().equals(gop)).toBe(true);

    // A late joiner gets the packets since the latest keyframe at once, then the live packets.
    const late = new FakeViewer();
    f.add(late);
    expect(late.all().equals(gop)).toBe(true);
    f.push(picture());
    expect(late.all().equals(Buffer.concat([gop, picture()]))).toBe(true);
    for (const v of [early, late]) for (const b of v.got) expect(isWholePackets(b)).toBe(true);
    expect(f.keyframes).toBe(1);
  });

  it('cuts a viewer that falls behind back to the next keyframe', () => {
    const f = new TsFanout();
    const slow = new FakeViewer();
    f.add(slow);
    f.push(Buffer.concat([key(), body()]));
    slow.bufferedAmount = VIEWER_BACKLOG_MAX + 1;
    f.push(picture());
    slow.bufferedAmount = 0;
    f.push(body()); // the rest of the skipped picture: not sent
    f.push(Buffer.concat([picture(), key(false), body()]));
    expect(slow.all().equals(Buffer.concat([key(), body(), key(false), body()]))).toBe(true);
  });

  it('forgets a removed viewer', () => {
    const f = new TsFanout();
    const v = new FakeViewer();
    f.add(v);
    f.remove(v);
    f.push(key());
    expect(v.got).toHaveLength(0);
  });
});
