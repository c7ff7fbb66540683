// The case service keeps each site's active cases in memory: on real PostgreSQL, with every query counted through a
// wrapper around the database handle, a burst of evaluations of one site costs a bounded number of queries (not one
// per evaluation), and two instances sharing the database still see the cases the other one opened or resolved —
// through the unique index (an insert that meets the other's case), a peer's message, an update that finds the case
// gone, or the periodic reconcile — and never make a case twice.
import '../../../test/harness/provided.ts';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { DeviceSample, SiteSpec } from '@camfleet/shared';
import { createDatabase } from '../../../test/harness/index.ts';
import { openDatabase, type Database } from '../db/index.ts';
import { FleetState } from '../state/fleet-state.ts';
import { MemoryTimeSeriesStore } from '../timeseries/memory-store.ts';
import { casesConfigFromEnv } from './config.ts';
import { CaseService } from './service.ts';

const T0 = Date.parse('2026-11-24T01:00:00Z');
const POLL = 5000;
const REFRESH_MS = 60_000;
const HOUR = 3_600_000;

function siteSpec(id: string): SiteSpec {
  return {
    id, name: id, region: 'east', contractId: 'ABC1234567',
    devices: [
      { id: 'gw', segment: 'gateway' },
      { id: 'sw', segment: 'switch', parent: 'gw' },
      { id: 'rt', segment: 'router', parent: 'sw' },
      { id: 'onu', segment: 'onu', parent: 'rt' },
      { id: 'cam1', segment: 'camera', parent: 'sw', vendor: 'AXIS' },
      { id: 'cam2', segment: 'camera', parent: 'sw', vendor: 'AXIS' },
    ],
  };
}

/** The database handle with every query recorded. */
function counting(db: Database): { db: Database; sql: string[] } {
  const sql: string[] = [];
  const wrapped: Database = {
    kind: db.kind,
    query: <T extends Record<string, unknown>>(q: string, params?: unknown[]) => {
      sql.push(q.replace(/\s+/g, ' ').slice(0, 160));
      return db.query<T>(q, params);
    },
    exec: (q) => db.exec(q),
    session: (fn) => db.session(fn),
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return { db: wrapped, sql };
}

/** One server instance's case side: its own FleetState, case service and counted database handle. */
interface Instance {
  fleet: FleetState;
  service: CaseService;
  sql: string[];
  /** Queries made by `fn`. */
  queries(fn: () => Promise<unknown>): Promise<string[]>;
}

describe('active-case cache', () => {
  const dbs: Database[] = [];
  const instances: Instance[] = [];
  let now = T0;

  async function instance(url: string): Promise<Instance> {
    const raw = await openDatabase({ databaseUrl: url, dataDir: '' });
    dbs.push(raw);
    const { db, sql } = counting(raw);
    const fleet = new FleetState(90_000);
    const service = new CaseService({
      db, fleet, timeseries: new MemoryTimeSeriesStore(), log: () => {}, clock: () => now,
      config: casesConfigFromEnv({ CAMFLEET_CASE_REFRESH_S: String(REFRESH_MS / 1000), CAMFLEET_CASE_RESOLVE_HOLD_S: '60' }),
      // No housekeeping or reconcile timers: the test calls them.
      tickMs: HOUR, notifyTickMs: HOUR, reconcileMs: HOUR,
    });
    await service.start(); // listens to 'evaluated' like the server
    const inst: Instance = {
      fleet, service, sql,
      async queries(fn) {
        const from = sql.length;
        await fn();
        return sql.slice(from);
      },
    };
    instances.push(inst);
    return inst;
  }

  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    const url = await createDatabase(inject('postgresUrl'), 'camfleet_active_cache');
    a = await instance(url);
    b = await instance(url);
  });

  afterAll(async () => {
    for (const i of instances) await i.service.close();
    for (const db of dbs) await db.close();
  });

  function addSite(inst: Instance, id: string) {
    inst.fleet.applyInventory(siteSpec(id), now);
    inst.fleet.applyPresence(id, 'online', now - HOUR);
  }

  /** Applies one poll to the instance's FleetState (which fires 'evaluated'); `down` devices do not answer. */
  function apply(inst: Instance, site: string, down: string[] = []) {
    const samples = siteSpec(site).devices.map((d): DeviceSample => ({
      device: d.id, at: new Date(now).toISOString(), reachable: !down.includes(d.id), conditions: down.includes(d.id) ? ['unreachable'] : [],
    }));
    inst.fleet.applySamples(site, samples, now);
  }

  /** One poll applied and evaluated (by the 'evaluated' listener; `evaluate` joins the evaluation it queued). */
  async function poll(inst: Instance, site: string, down: string[] = []) {
    apply(inst, site, down);
    await inst.service.evaluate(site);
  }

  const casesOf = (site: string) => a.service.queries.list({ site, limit: 100 });

  it('a burst of changes of one site is one evaluation, of the newest state, with at most the initial load as query', async () => {
    addSite(a, 'burst-1');
    const evaluations = vi.spyOn(a.service.engine, 'evaluate');
    const N = 50;
    const burst = await a.queries(async () => {
      // N telemetry batches (or peer deltas) in one go; only the last one has cam1 down.
      for (let i = 0; i < N; i++, now += 100) apply(a, 'burst-1', i === N - 1 ? ['cam1'] : []);
      await a.service.evaluate('burst-1');
    });
    expect(evaluations).toHaveBeenCalledTimes(1);
    expect(burst.length).toBeLessThanOrEqual(1); // the fleet-wide load of the active cases, once per process
    // The evaluation saw the newest state: cam1 down counted as one poll, so the next one (hold 2) opens the case.
    now += POLL;
    await poll(a, 'burst-1', ['cam1']);
    expect((await casesOf('burst-1')).map((c) => [c.rootCause, c.state])).toEqual([['cam1', 'open']]);
    evaluations.mockRestore();
  });

  it('N separate polls of a site cost no query while nothing changes, and a refresh a minute while a case stays open', async () => {
    addSite(a, 'steady-1');
    await poll(a, 'steady-1'); // the fleet-wide load, if not done yet
    const N = 60;
    const quiet = await a.queries(async () => {
      for (let i = 0; i < N; i++, now += POLL) await poll(a, 'steady-1');
    });
    expect(quiet).toEqual([]);
    const open = await a.queries(async () => {
      for (let i = 0; i < N; i++, now += POLL) await poll(a, 'steady-1', ['cam2']);
    });
    // One statement opens the case, then one refresh per REFRESH_MS — instead of one query per evaluation.
    expect(open.length).toBeGreaterThanOrEqual(1);
    expect(open.length).toBeLessThanOrEqual(1 + Math.ceil((N * POLL) / REFRESH_MS));
    expect(open.filter((q) => q.startsWith('SELECT'))).toEqual([]);
    expect(await casesOf('steady-1')).toHaveLength(1);
  });

  it('sees a case another instance opened: the unique index turns its own insert into a reload, never a second case', async () => {
    addSite(a, 'peer-1');
    addSite(b, 'peer-1');
    await poll(b, 'peer-1'); // b has loaded its copy: peer-1 has no active case
    for (let i = 0; i < 2; i++, now += POLL) await poll(a, 'peer-1', ['cam1']);
    const [opened] = await casesOf('peer-1');
    expect(opened).toMatchObject({ rootCause: 'cam1', state: 'open' });
    expect(await b.service.activeCases.get('peer-1')).toEqual([]); // b was not told (no peer channel here)

    for (let i = 0; i < 2; i++, now += POLL) await poll(b, 'peer-1', ['cam1']);
    expect(b.service.activeCases.isStale('peer-1')).toBe(true); // its open met a's case
    expect((await b.service.activeCases.get('peer-1')).map((c) => c.id)).toEqual([opened!.id]);
    expect(b.service.activeCases.isStale('peer-1')).toBe(false);
    // Both instances now evaluate every poll, as they do in production: still one case.
    for (let i = 0; i < 4; i++, now += POLL) {
      apply(a, 'peer-1', ['cam1']);
      apply(b, 'peer-1', ['cam1']);
      await Promise.all([a.service.evaluate('peer-1'), b.service.evaluate('peer-1')]);
    }
    expect(await casesOf('peer-1')).toHaveLength(1);
  });

  it('sees a case resolved on another instance: through the peer message, and without it when its update finds the case gone', async () => {
    const [c] = await casesOf('peer-1');
    expect(await b.service.activeCases.get('peer-1')).toHaveLength(1);
    // An operator resolves it through instance a; a's realtime flush tells b (cases/realtime.ts → peerChanged).
    await a.service.resolveByOperator(c!.id, 'kato');
    b.service.peerChanged(['peer-1']);
    const reload = await b.queries(async () => {
      now += POLL;
      await poll(b, 'peer-1', ['cam1']);
    });
    expect(reload.filter((q) => q.includes('FROM cases WHERE site_id'))).toHaveLength(1);
    expect(await b.service.activeCases.get('peer-1')).toEqual([]);
    // The fault is still there: b tries to open it, and the operator's resolution of this episode holds.
    for (let i = 0; i < 3; i++, now += POLL) await poll(b, 'peer-1', ['cam1']);
    expect((await casesOf('peer-1')).map((x) => x.state)).toEqual(['resolved']);

    // No message this time: a case a opened is resolved on a; b still holds it, until its refresh finds it gone.
    addSite(a, 'peer-2');
    addSite(b, 'peer-2');
    for (let i = 0; i < 2; i++, now += POLL) {
      apply(a, 'peer-2', ['cam2']);
      apply(b, 'peer-2', ['cam2']);
      await Promise.all([a.service.evaluate('peer-2'), b.service.evaluate('peer-2')]);
    }
    await b.service.evaluate('peer-2'); // b reloads if its open met a's case first
    const [d] = await casesOf('peer-2');
    expect((await b.service.activeCases.get('peer-2')).map((x) => x.id)).toEqual([d!.id]);
    await a.service.resolveByOperator(d!.id, 'sato');
    now += REFRESH_MS; // b's next poll refreshes the case it thinks open
    await poll(b, 'peer-2', ['cam2']);
    expect(b.service.activeCases.isStale('peer-2')).toBe(true);
    expect(await b.service.activeCases.get('peer-2')).toEqual([]);
    expect((await casesOf('peer-2')).map((x) => x.state)).toEqual(['resolved']);
  });

  it('the periodic reconcile brings in a case another instance opened without a word, in one query for the fleet', async () => {
    addSite(a, 'peer-3');
    addSite(b, 'peer-3');
    await poll(b, 'peer-3');
    for (let i = 0; i < 2; i++, now += POLL) await poll(a, 'peer-3', ['onu']);
    const [c] = await casesOf('peer-3');
    expect(await b.service.activeCases.get('peer-3')).toEqual([]);
    const sql = await b.queries(() => b.service.activeCases.reconcile());
    expect(sql).toHaveLength(1);
    expect((await b.service.activeCases.get('peer-3')).map((x) => x.id)).toEqual([c!.id]);
    // …so b, which never saw the ONU down, resolves it once the ONU has answered for the recovery hold.
    for (let i = 0; i < 14; i++, now += POLL) await poll(b, 'peer-3');
    expect((await casesOf('peer-3')).map((x) => [x.state, x.resolvedBy])).toEqual([['resolved', 'camfleet']]);
  });
});
