// InfluxDB layout (docs/timeseries.md): one database; retention policies `raw` (the default, days),
// `rollup_5m` and `rollup_1h` (months); continuous queries fill the rollups with the mean of every field
// per device (tags kept: site, device, segment). After an outage the replayed period is rolled up again.
import type { InfluxDB } from 'influx';
import { MEASUREMENT } from './line-protocol.ts';

export interface InfluxRetention {
  raw: string;
  rollup5m: string;
  rollup1h: string;
}

export const DEFAULT_INFLUX_RETENTION: InfluxRetention = { raw: '7d', rollup5m: '90d', rollup1h: '730d' };
export const RP = { raw: 'raw', '5m': 'rollup_5m', '1h': 'rollup_1h' } as const;
export const ROLLUP_MEASUREMENT = { '5m': `${MEASUREMENT}_5m`, '1h': `${MEASUREMENT}_1h` } as const;

const q = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

/** InfluxQL duration (7d, 12h, 90d, 104w) to milliseconds. */
export function durationMs(d: string): number {
  const m = /^(\d+)(m|h|d|w)$/.exec(d);
  if (!m) throw new Error(`not an InfluxQL duration: ${d}`);
  return Number(m[1]) * { m: 60_000, h: 3600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
}

function rollupSelect(db: string, rollup: '5m' | '1h', where = ''): string {
  return `SELECT mean(*) INTO ${q(db)}.${q(RP[rollup])}.${q(ROLLUP_MEASUREMENT[rollup])} FROM ${q(db)}.${q(RP.raw)}.${q(MEASUREMENT)}${where} GROUP BY time(${rollup}), *`;
}

export async function ensureInfluxSchema(influx: InfluxDB, db: string, ret: InfluxRetention): Promise<void> {
  await influx.createDatabase(db); // idempotent in 1.x
  const existing = new Set((await influx.showRetentionPolicies(db)).map((r) => r.name));
  const policies: [string, string, boolean][] = [[RP.raw, ret.raw, true], [RP['5m'], ret.rollup5m, false], [RP['1h'], ret.rollup1h, false]];
  for (const [name, duration, isDefault] of policies) {
    const verb = existing.has(name) ? 'ALTER' : 'CREATE';
    await influx.query(`${verb} RETENTION POLICY ${q(name)} ON ${q(db)} DURATION ${duration} REPLICATION 1${isDefault ? ' DEFAULT' : ''}`);
  }
  const cqs = new Set((await influx.showContinousQueries(db)).map((c) => c.name));
  // RESAMPLE FOR: late samples (a reconnecting agent's outbox) are still folded into recent buckets.
  if (!cqs.has('cq_device_sample_5m')) await influx.createContinuousQuery('cq_device_sample_5m', rollupSelect(db, '5m'), db, 'RESAMPLE EVERY 5m FOR 30m');
  if (!cqs.has('cq_device_sample_1h')) await influx.createContinuousQuery('cq_device_sample_1h', rollupSelect(db, '1h'), db, 'RESAMPLE EVERY 1h FOR 3h');
}

/** Recomputes both rollups from `fromMs` (e.g. the start of a replayed outage) to now. */
export async function backfillRollups(influx: InfluxDB, db: string, fromMs: number, nowMs = Date.now()): Promise<void> {
  const start = Math.floor(fromMs / 3600_000) * 3600_000;
  const where = ` WHERE time >= ${start}ms AND time < ${nowMs}ms`;
  await influx.query(rollupSelect(db, '5m', where), { database: db });
  await influx.query(rollupSelect(db, '1h', where), { database: db });
}
