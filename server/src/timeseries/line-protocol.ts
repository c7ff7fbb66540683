// InfluxDB line protocol for device samples, built once per telemetry batch so the write buffer holds
// compact strings (and can spill them to disk as they are). Every field is written as a float, so a
// field's type never changes between points.
import type { SampleRow } from './types.ts';

export const MEASUREMENT = 'device_sample';

/** Field keys become InfluxQL identifiers; keep them plain. */
export const safeKey = (k: string) => k.replace(/[^A-Za-z0-9_]/g, '_');
// Ids are restricted by the shared schemas, but escape anyway: a tag value must never break a line.
const tag = (v: string) => v.replace(/[,= \\\n]/g, (c) => (c === '\n' ? '' : `\\${c}`));

export interface Chunk {
  lines: string;
  points: number;
  /** Oldest sample time in the chunk (epoch ms), for the sample→storage lag. */
  oldest: number;
  /** Called once the chunk is durable (stored, spilled to disk) or dropped: the ingest journal's release. */
  acks?: (() => void)[];
}

export function ackAll(chunks: Chunk[]): void {
  for (const c of chunks) if (c.acks) for (const a of c.acks.splice(0)) a();
}

export function toChunk(rows: SampleRow[]): Chunk | undefined {
  let lines = '';
  let points = 0;
  let oldest = Infinity;
  for (const r of rows) {
    if (!Number.isFinite(r.at)) continue;
    let fields = '';
    for (const k in r.fields) {
      const v = r.fields[k]!;
      if (!Number.isFinite(v)) continue;
      fields += `${fields ? ',' : ''}${safeKey(k)}=${v}`;
    }
    if (!fields) continue;
    const tags = `,device=${tag(r.device)}${r.segment ? `,segment=${tag(r.segment)}` : ''},site=${tag(r.site)}`;
    lines += `${points ? '\n' : ''}${MEASUREMENT}${tags} ${fields} ${Math.trunc(r.at)}`;
    points++;
    if (r.at < oldest) oldest = r.at;
  }
  return points ? { lines, points, oldest } : undefined;
}
