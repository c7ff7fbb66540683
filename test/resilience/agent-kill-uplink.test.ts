// Fault: the site's uplink is gone (the broker unreachable from the agent, though it runs on), and the agent is
// killed with SIGKILL in the middle of the outage. In: every message the agent took — one sequence, contiguous
// within each run of the agent (the restart skips to its next reserved block), read from its outbox at the end of
// the outage and from a persistent observer at the broker. Out: InfluxDB holds every sample of every batch of the
// whole run once, in order per device; the backlog reached the broker oldest first; the server wrote no batch twice.
// (test/e2e/agent-outbox.test.ts stops the broker itself; here the broker and server keep running.)
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startServer, type ServerProcess } from '../support/processes.ts';
import { startGate, type Gate } from './gate.ts';
import { faultMs, influxDb, metric, outboxEntries, report, serverEnv, sharedDatabase, sleep, sql, startSiteAgent, type SiteAgent, type Sql } from './support.ts';
import { expectStoredOnce, observe, samplesByDevice, type Observer } from './traffic.ts';

const SITE = 'res-uplink-01';
const DB = 'camfleet_res_uplink';
const OUTAGE_MS = faultMs(16, 120);
const SEQ_BLOCK = 100; // agent/src/runtime/seq.ts reserves sequence numbers in blocks of 100

describe(`uplink down ${OUTAGE_MS / 1000} s, agent killed with SIGKILL half way`, () => {
  let broker: MosquittoHandle;
  let server: ServerProcess;
  let uplink: Gate;
  let agent: SiteAgent;
  let observer: Observer;
  let db: Sql;
  const influx = influxDb(inject('influxUrl'), DB);

  beforeAll(async () => {
    // A broker of its own: a server on the run's shared broker would also take other tests' telemetry.
    broker = await startMosquitto();
    const databaseUrl = await sharedDatabase(DB);
    db = sql(databaseUrl);
    server = await startServer({ name: 'res-uplink', env: serverEnv({ mqttUrl: broker.url, influxUrl: `${inject('influxUrl')}/${DB}`, databaseUrl, group: 'res-uplink' }) });
    observer = await observe(broker.url, SITE, 'res-uplink-observer');
    uplink = await startGate({ port: broker.port });
    agent = await startSiteAgent({ id: SITE, mqttUrl: uplink.url(broker.url) });
  });

  afterAll(async () => {
    await agent?.close();
    await observer?.close();
    await uplink?.close();
    await server?.stop();
    await db?.close();
    await broker?.dispose();
  });

  it('stores every sample the agent took once, in order, after the uplink returns', { timeout: OUTAGE_MS + 150_000 }, async () => {
    const started = Date.now();
    await waitFor(async () => (await influx.count([SITE])) > 0, { timeoutMs: 30_000, what: 'telemetry in InfluxDB' });

    await uplink.cut();
    await sleep(OUTAGE_MS / 2);
    await agent.agent.kill();
    expect(agent.agent.proc.exitInfo?.signal).toBe('SIGKILL');
    agent.restart();
    await sleep(OUTAGE_MS / 2);

    // Everything taken during the outage is in the outbox now: nothing can have been sent.
    const taken = outboxEntries(agent.stateDir);
    const takenSeqs = taken.map((e) => e.seq);
    expect(taken.filter((e) => e.topic.endsWith('/telemetry')).length).toBeGreaterThan(OUTAGE_MS / 1000 / 4); // a cycle a second, minus the restart
    expect(takenSeqs).toEqual([...takenSeqs].sort((a, b) => a - b));
    expect(agent.log()).toContain('uplink lost; queueing to disk');

    await uplink.restore();
    await waitFor(() => outboxEntries(agent.stateDir).every((e) => e.seq > takenSeqs.at(-1)!), { timeoutMs: 60_000, what: 'the agent to replay its outbox' });
    await waitFor(() => takenSeqs.every((s) => observer.arrivals.some((a) => a.seq === s)), { timeoutMs: 20_000, what: 'the observer to see the backlog' });
    await agent.agent.stop(); // SIGTERM: the last batches go out, then nothing more comes in
    await sleep(1500);

    // In: one sequence per run of the agent, with no hole but the jump to the restarted agent's next block.
    const distinct = observer.distinct();
    const seqs = distinct.map((a) => a.seq).sort((a, b) => a - b);
    const firstRun = seqs.filter((s, i) => s === i + 1);
    // (The next block after the first run's last seq — or after one more, if the kill fell between reserving a
    // seq and writing its message.)
    const nextBlock = (used: number) => Math.ceil(used / SEQ_BLOCK) * SEQ_BLOCK + 1;
    const secondRun = seqs.slice(firstRun.length);
    const resumedAt = secondRun[0]!;
    expect([nextBlock(firstRun.length), nextBlock(firstRun.length + 1)]).toContain(resumedAt);
    expect(secondRun).toEqual(secondRun.map((_, i) => resumedAt + i));
    expect(seqs).toEqual(expect.arrayContaining(takenSeqs));
    expect(takenSeqs.some((s) => s <= firstRun.length) && takenSeqs.some((s) => s >= resumedAt)).toBe(true); // the outage's backlog spans the kill

    // The backlog reached the broker oldest first.
    const firstArrival = takenSeqs.map((s) => observer.arrivals.findIndex((a) => a.seq === s));
    expect(firstArrival).toEqual([...firstArrival].sort((a, b) => a - b));

    // Out: InfluxDB holds each sample of each batch once, the same times per device.
    const batches = distinct.filter((a) => a.kind === 'telemetry').map((a) => a.body);
    const expected = samplesByDevice(batches);
    expect([...expected.keys()].sort()).toEqual(['cam1', 'cam2', 'gw', 'onu', 'rt', 'sw']);
    const stored = await expectStoredOnce(influx, SITE, expected, started - 60_000);
    expect(await influx.count([SITE])).toBe(stored);
    // And no batch went to history twice: one claim per batch, and the server wrote each sample once.
    await waitFor(async () => (await metric(server, 'camfleet_timeseries_written_samples_total')) >= stored, { timeoutMs: 10_000, what: 'the write counter' });
    expect(await metric(server, 'camfleet_timeseries_written_samples_total')).toBe(stored);
    const [claims] = await db.rows<{ n: number }>('SELECT count(*)::int AS n FROM processed_batches WHERE site_id = $1', [SITE]);
    expect(claims?.n).toBe(batches.length);
    expect(await metric(server, 'camfleet_ingest_rejected_total')).toBe(0);
    report('agent SIGKILL during uplink outage', {
      outageS: OUTAGE_MS / 1000, batchesTakenInOutage: taken.length, batches: batches.length, samplesStored: stored,
      repeatsAtBroker: observer.arrivals.length - distinct.length, duplicatesDroppedByServer: await metric(server, 'camfleet_ingest_duplicates_total'),
    });
  });
});
