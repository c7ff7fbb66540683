// History queries against InfluxDB: raw samples, raw aggregated on the fly, or the 5-minute / hourly
// rollups — the source and step chosen by planHistory() exactly as the embedded store chooses them.
import type { InfluxDB } from 'influx';
import { MEASUREMENT } from './line-protocol.ts';
import { ROLLUP_MEASUREMENT, RP } from './influx-schema.ts';
import { planHistory, type HistoryPlan, type Retention } from './resolution.ts';
import type { HistoryQuery, HistoryResult, SampleRow } from './types.ts';

const q = (s: string) => `"${s}"`;

export async function influxHistory(influx: InfluxDB, db: string, query: HistoryQuery, plan?: HistoryPlan, ret?: Retention, now = Date.now()): Promise<HistoryResult> {
  const p = plan ?? planHistory(query.from, query.to, now, ret!);
  const from = q(p.source === 'raw' ? RP.raw : RP[p.source]);
  const measurement = q(p.source === 'raw' ? MEASUREMENT : ROLLUP_MEASUREMENT[p.source]);
  // A rollup's fields are already means (mean_x); each GROUP BY adds one more prefix.
  const nativeStep = p.source === '5m' ? 300_000 : p.source === '1h' ? 3600_000 : 0;
  const aggregate = p.stepMs > nativeStep;
  const prefixes = (p.source === 'raw' ? 0 : 1) + (aggregate ? 1 : 0);
  const select = aggregate ? 'mean(*)' : '*';
  const group = aggregate ? ` GROUP BY time(${p.stepMs}ms) fill(none)` : '';
  const text = `SELECT ${select} FROM ${q(db)}.${from}.${measurement} WHERE site = $site AND device = $device AND time >= $from AND time <= $to${group} ORDER BY time ASC`;
  const rows = await influx.query<Record<string, unknown>>(text, {
    database: db,
    placeholders: { site: query.site, device: query.device, from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString() },
  });
  const strip = (k: string) => {
    let key = k;
    for (let i = 0; i < prefixes && key.startsWith('mean_'); i++) key = key.slice(5);
    return key;
  };
  const out: SampleRow[] = [];
  for (const r of rows) {
    const fields: Record<string, number> = {};
    for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && k !== 'time') fields[strip(k)] = v;
    if (Object.keys(fields).length === 0) continue;
    out.push({
      site: query.site,
      device: query.device,
      ...(typeof r.segment === 'string' ? { segment: r.segment } : {}),
      at: (r.time as Date).getTime(),
      fields,
    });
  }
  return { source: p.source, stepMs: p.stepMs, rows: out };
}
