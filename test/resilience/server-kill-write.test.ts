// Fault: the server killed with SIGKILL in the middle of an InfluxDB write. A gate between server and InfluxDB
// forwards the write requests but holds back InfluxDB's answers, so at the kill InfluxDB has stored batches the
// server never heard about, and the server holds more it has not written — all of it already PUBACKed to the
// broker. The server is started again (same data dir and MQTT session) while the simulated agents keep publishing.
// In: every batch the broker PUBACKed. Out: InfluxDB holds every sample once, each batch has one claim in
// PostgreSQL, and the restarted server replayed its journal and emptied it.
// (test/e2e/server-restart.test.ts kills the server mid-stream; here the kill lands inside a write.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startServer, tempDir, type ServerProcess } from '../support/processes.ts';
import { startGate, type Gate } from './gate.ts';
import { dataFiles, faultMs, influxDb, metric, report, serverEnv, sharedDatabase, sleep, sql, type Sql } from './support.ts';
import { expectStoredOnce, samplesByDevice, startPump, type Pump } from './traffic.ts';

const DB = 'camfleet_res_kill';
const SITES = Array.from({ length: 5 }, (_, i) => `res-kill-${i + 1}`);
const DEVICES = 10;
const DOWN_MS = faultMs(2, 30);

describe('server SIGKILL in the middle of an InfluxDB write', () => {
  let broker: MosquittoHandle;
  let gate: Gate;
  let server: ServerProcess | undefined;
  let pump: Pump | undefined;
  let db: Sql;
  let env: Record<string, string>;
  const dataDir = path.join(tempDir('res-kill-data'), 'data');

  beforeAll(async () => {
    broker = await startMosquitto();
    gate = await startGate({ port: Number(new URL(inject('influxUrl')).port) });
    const databaseUrl = await sharedDatabase(DB);
    db = sql(databaseUrl);
    env = serverEnv({
      mqttUrl: broker.url, influxUrl: `${gate.url(inject('influxUrl'))}/${DB}`, databaseUrl, group: 'res-kill',
      // The same session and data dir after the restart: the broker keeps what the dead server had not PUBACKed,
      // the data dir holds its ingest journal.
      extra: { CAMFLEET_MQTT_CLIENT_ID: 'res-kill-server', CAMFLEET_DATA_DIR: dataDir },
    });
    server = await startServer({ name: 'res-kill', env });
  });

  afterAll(async () => {
    await pump?.stop();
    await server?.stop();
    await gate?.close();
    await db?.close();
    await broker?.dispose();
  });

  it('stores every sample once after the restart', { timeout: DOWN_MS + 120_000 }, async () => {
    const started = Date.now();
    const influx = influxDb(inject('influxUrl'), DB);
    pump = await startPump({ mqttUrl: broker.url, sites: SITES, devices: DEVICES, intervalMs: 50, clientId: 'res-kill-pump' });
    await waitFor(async () => (await influx.count(SITES)) > 2000, { timeoutMs: 20_000, what: 'the stream to reach InfluxDB' });

    // Writes reach InfluxDB, answers do not: wait until two writes are in that state, then kill.
    gate.holdReplies();
    await waitFor(() => gate.heldRequests('POST /write') >= 2, { timeoutMs: 15_000, what: 'two writes in flight' });
    const first = server!;
    const acknowledged = await metric(first, 'camfleet_timeseries_written_samples_total'); // frozen: no answer gets through
    await first.kill();
    expect(first.proc.exitInfo?.signal).toBe('SIGKILL');
    const journal = dataFiles(dataDir, 'ingest-journal').length;
    expect(journal).toBeGreaterThan(0); // taken, PUBACKed, not known to be stored
    // InfluxDB has stored more than the server was told about: the kill landed inside a write.
    const inInflux = await waitFor(async () => {
      const n = await influx.count(SITES);
      return n > acknowledged && n;
    }, { timeoutMs: 10_000, what: 'the held writes to be in InfluxDB' });
    gate.releaseReplies();
    await sleep(DOWN_MS); // the agents keep publishing; the broker queues for the dead server's session

    server = await startServer({ name: 'res-kill', env });
    await sleep(3000);
    await pump.stop();
    const published = pump.published();

    let stored = 0;
    for (const site of SITES) stored += await expectStoredOnce(influx, site, samplesByDevice(pump.batches(site)), started - 60_000, 60_000);
    expect(stored).toBe(published);
    expect(await influx.count(SITES)).toBe(published);
    const claims = await db.rows<{ site_id: string; n: number }>('SELECT site_id, count(*)::int AS n FROM processed_batches GROUP BY site_id ORDER BY site_id');
    expect(claims).toEqual(SITES.map((s) => ({ site_id: s, n: pump!.batches(s).length })).sort((a, b) => a.site_id.localeCompare(b.site_id)));
    const replayed = /ingest journal: replaying (\d+) telemetry batches/.exec(readFileSync(path.join(server.dir, 'server.log'), 'utf8'));
    expect(Number(replayed?.[1])).toBeGreaterThan(0);
    await waitFor(() => dataFiles(dataDir, 'ingest-journal').length === 0, { timeoutMs: 10_000, what: 'the journal to empty' });
    report('server SIGKILL mid-write', { downS: DOWN_MS / 1000, acknowledgedAtKill: acknowledged, inInfluxAtKill: inInflux, journalSegmentsAtKill: journal, batchesReplayedFromJournal: Number(replayed?.[1]), published, stored });
  });
});
