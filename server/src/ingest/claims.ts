// Duplicate drop across restarts and instances (issue 4 §1): before a telemetry batch is applied, its
// (site, seq) is claimed in processed_batches, whose primary key lets exactly one claim win — whichever
// server instance, before or after a restart. Claims are batched: while one INSERT is in flight the next
// ones queue, so the database sees a few statements a second, not one per message.
// The per-site high-water mark (largest seq claimed) is kept in site_seq every few seconds; claims older
// than the retention are pruned and raise the site's floor, under which every seq is a duplicate.
import type { Database } from '../db/types.ts';

interface Pending {
  site: string;
  seq: number;
  at: string;
  resolve: (won: boolean) => void;
}

export interface ClaimOptions {
  maxBatch?: number;
  /** Claims older than this are pruned (their seqs stay duplicates through the site's floor). */
  retentionMs?: number;
  log: (msg: string) => void;
}

const CLAIM_SQL = `
INSERT INTO processed_batches (site_id, seq, batch_at)
SELECT i.site_id, i.seq, i.batch_at FROM unnest($1::text[], $2::bigint[], $3::text[]) AS i(site_id, seq, batch_at)
LEFT JOIN site_seq f ON f.site_id = i.site_id
WHERE i.seq > COALESCE(f.floor, 0)
ORDER BY i.site_id, i.seq
ON CONFLICT (site_id, seq) DO UPDATE SET batch_at = EXCLUDED.batch_at, claimed_at = now()
  WHERE processed_batches.batch_at <> EXCLUDED.batch_at
RETURNING site_id, seq`;

const HIGH_WATER_SQL = `
INSERT INTO site_seq (site_id, high_water)
SELECT * FROM unnest($1::text[], $2::bigint[]) AS h(site_id, high_water) ORDER BY 1
ON CONFLICT (site_id) DO UPDATE SET high_water = GREATEST(site_seq.high_water, EXCLUDED.high_water), updated_at = now()`;

const PRUNE_SQL = `
WITH old AS (DELETE FROM processed_batches WHERE claimed_at < $1 RETURNING site_id, seq)
INSERT INTO site_seq (site_id, floor)
SELECT site_id, max(seq) FROM old GROUP BY site_id ORDER BY 1
ON CONFLICT (site_id) DO UPDATE SET floor = GREATEST(site_seq.floor, EXCLUDED.floor), updated_at = now()`;

export class BatchClaims {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private readonly highWater = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly maxBatch: number;
  private readonly retentionMs: number;
  /** Claims that could not reach the database and were let through (at-least-once; see docs/scaling.md). */
  unverified = 0;
  statements = 0;

  constructor(private readonly db: Database, private readonly opts: ClaimOptions) {
    this.maxBatch = opts.maxBatch ?? 2000;
    this.retentionMs = opts.retentionMs ?? 7 * 86_400_000;
  }

  /** Floors from the database, to seed the in-memory dedupe after a restart. */
  async floors(): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ site_id: string; floor: string | number }>('SELECT site_id, floor FROM site_seq WHERE floor > 0');
    return new Map(rows.map((r) => [r.site_id, Number(r.floor)]));
  }

  async highWaterMarks(): Promise<Map<string, number>> {
    await this.saveHighWater();
    const { rows } = await this.db.query<{ site_id: string; high_water: string | number }>('SELECT site_id, high_water FROM site_seq');
    return new Map(rows.map((r) => [r.site_id, Number(r.high_water)]));
  }

  start(): void {
    this.timers.push(setInterval(() => void this.saveHighWater().catch(() => {}), 5000));
    this.timers.push(setInterval(() => void this.prune().catch((e: unknown) => this.opts.log(`pruning processed batches failed: ${String(e)}`)), 600_000));
    for (const t of this.timers) t.unref();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves true for the one claim of (site, seq) that wins, false for every duplicate; a batch with a
   *  known seq but another batch time (the agent's sequence restarted) wins again. */
  claim(site: string, seq: number, at = ''): Promise<boolean> {
    return new Promise((resolve) => {
      this.queue.push({ site, seq, at, resolve });
      this.running ??= this.run();
    });
  }

  /** Two INSERTs in flight at most; the next batch is whatever queued meanwhile. Distinct keys only (the
   *  in-memory dedupe ran first), in sorted order, so the two never wait on each other. */
  private async run(): Promise<void> {
    // Let the messages of this turn of the event loop join the batch.
    await new Promise((r) => setImmediate(r));
    const lanes: Promise<void>[] = [];
    const lane = async () => {
      while (this.queue.length > 0) await this.claimBatch(this.take());
    };
    lanes.push(lane());
    if (this.queue.length > 0) lanes.push(lane());
    await Promise.all(lanes);
    this.running = undefined;
  }

  /** The next batch, each (site, seq) once: one INSERT … ON CONFLICT DO UPDATE may not touch a row twice. */
  private take(): Pending[] {
    const raw = this.queue.splice(0, this.maxBatch);
    const seen = new Set<string>();
    const batch: Pending[] = [];
    const later: Pending[] = [];
    for (const p of raw) {
      const key = `${p.site}\u0000${p.seq}`;
      if (seen.has(key)) later.push(p);
      else {
        seen.add(key);
        batch.push(p);
      }
    }
    if (later.length > 0) this.queue.unshift(...later);
    return batch;
  }

  private async claimBatch(batch: Pending[]): Promise<void> {
    let won: Set<string> | undefined;
    for (let attempt = 0; attempt < 3 && !won; attempt++) {
      try {
        this.statements++;
        const { rows } = await this.db.query<{ site_id: string; seq: string | number }>(CLAIM_SQL, [batch.map((p) => p.site), batch.map((p) => p.seq), batch.map((p) => p.at)]);
        won = new Set(rows.map((r) => `${r.site_id}\u0000${Number(r.seq)}`));
      } catch (err) {
        if (attempt === 2) {
          // The database is away: let the batches through rather than lose them. A replay may then be
          // applied twice; InfluxDB stores a point once per series and time, so history stays exact.
          this.unverified += batch.length;
          this.opts.log(`claiming telemetry batches failed (${err instanceof Error ? err.message : String(err)}); ${batch.length} applied unverified`);
        } else {
          await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
        }
      }
    }
    for (const p of batch) {
      const key = `${p.site}\u0000${p.seq}`;
      const ok = won ? won.delete(key) : true;
      if (ok && p.seq > (this.highWater.get(p.site) ?? 0)) this.highWater.set(p.site, p.seq);
      p.resolve(ok);
    }
  }

  private async saveHighWater(): Promise<void> {
    if (this.highWater.size === 0) return;
    const entries = [...this.highWater];
    this.highWater.clear();
    try {
      await this.db.query(HIGH_WATER_SQL, [entries.map((e) => e[0]), entries.map((e) => e[1])]);
    } catch (err) {
      for (const [site, seq] of entries) if (seq > (this.highWater.get(site) ?? 0)) this.highWater.set(site, seq);
      throw err;
    }
  }

  async prune(now = Date.now()): Promise<void> {
    await this.db.query(PRUNE_SQL, [new Date(now - this.retentionMs).toISOString()]);
  }

  /** Waits for queued claims, saves the high-water marks. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.running;
    await this.saveHighWater().catch(() => {});
  }
}
