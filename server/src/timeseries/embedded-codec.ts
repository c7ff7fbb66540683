// The embedded store's on-disk records (embedded-disk.ts): text lines `<crc32, 8 hex> <json>\n`. A checksum per line
// lets a reader skip a damaged line and keep the rest; a last line without its newline is a write cut short (a kill
// or power loss in the middle of an append) and is dropped.
//   segment line: [site, [[device, segment | null, at, {field: value}], …]]   — the rows of one write, per site
//   rollup line:  [site, device, segment | null, [[bucketStart, {field: [sum, count]}], …]]   — one series
import { createReadStream } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { Bucket } from './buckets.ts';
import type { SampleRow } from './types.ts';

export interface SeriesBuckets {
  site: string;
  device: string;
  segment?: string;
  buckets: Bucket[];
}

export interface ReadOutcome {
  /** Complete lines that failed their checksum or did not parse. */
  bad: number;
  /** Bytes up to the end of the last complete line: where appending may continue. */
  validBytes: number;
  /** A last line without its newline was dropped. */
  tornTail: boolean;
}

function line(json: string): string {
  return `${(crc32(json) >>> 0).toString(16).padStart(8, '0')} ${json}\n`;
}

/** One line per site of the rows (a telemetry batch is one site: one line). */
export function encodeRows(rows: readonly SampleRow[]): string {
  const bySite = new Map<string, unknown[]>();
  for (const r of rows) {
    let list = bySite.get(r.site);
    if (!list) bySite.set(r.site, (list = []));
    list.push([r.device, r.segment ?? null, r.at, r.fields]);
  }
  let out = '';
  for (const [site, list] of bySite) out += line(JSON.stringify([site, list]));
  return out;
}

export function encodeSeries(s: SeriesBuckets): string {
  const buckets = s.buckets.map((b) => [b.at, Object.fromEntries(Object.keys(b.sum).map((k) => [k, [b.sum[k], b.n[k]]]))]);
  return line(JSON.stringify([s.site, s.device, s.segment ?? null, buckets]));
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A segment line's rows; throws when it is not one. */
export function rowsOf(v: unknown): SampleRow[] {
  if (!Array.isArray(v) || typeof v[0] !== 'string' || !Array.isArray(v[1])) throw new Error('not a segment line');
  const site = v[0];
  return (v[1] as unknown[]).map((r) => {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[2] !== 'number' || !isObj(r[3])) throw new Error('bad row');
    return { site, device: r[0], ...(typeof r[1] === 'string' ? { segment: r[1] } : {}), at: r[2], fields: r[3] as Record<string, number> };
  });
}

/** A rollup line's series; throws when it is not one. */
export function seriesOf(v: unknown): SeriesBuckets {
  if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string' || !Array.isArray(v[3])) throw new Error('not a rollup line');
  const buckets = (v[3] as unknown[]).map((b): Bucket => {
    if (!Array.isArray(b) || typeof b[0] !== 'number' || !isObj(b[1])) throw new Error('bad bucket');
    const sum: Record<string, number> = {};
    const n: Record<string, number> = {};
    for (const [k, pair] of Object.entries(b[1])) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'number' || typeof pair[1] !== 'number') throw new Error('bad field');
      sum[k] = pair[0];
      n[k] = pair[1];
    }
    return { at: b[0], sum, n };
  });
  return { site: v[0], device: v[1], ...(typeof v[2] === 'string' ? { segment: v[2] } : {}), buckets };
}

/** Streams a file's lines (the event loop keeps turning between chunks): each good one parsed and handed over. */
export async function readRecords<T>(file: string, parse: (v: unknown) => T, onItem: (item: T) => void): Promise<ReadOutcome> {
  const out: ReadOutcome = { bad: 0, validBytes: 0, tornTail: false };
  let rest: Buffer = Buffer.alloc(0);
  let offset = 0; // file position of rest[0]
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buf: Buffer = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = buf.indexOf(0x0a); end >= 0; end = buf.indexOf(0x0a, start)) {
      const text = buf.toString('utf8', start, end);
      start = end + 1;
      out.validBytes = offset + start;
      const sum = Number.parseInt(text.slice(0, 8), 16);
      const json = text.slice(9);
      if (text[8] !== ' ' || !(sum >= 0) || (crc32(json) >>> 0) !== sum) {
        out.bad++;
        continue;
      }
      let item: T;
      try {
        item = parse(JSON.parse(json));
      } catch {
        out.bad++;
        continue;
      }
      onItem(item);
    }
    rest = buf.subarray(start);
    offset += start;
  }
  out.tornTail = rest.length > 0;
  return out;
}
