import type { TestProject } from 'vitest/node';
import './provided.ts';
import { startInflux } from './influxdb.ts';
import { startMosquitto } from './mosquitto.ts';
import { startPostgres } from './postgres.ts';
import type { ServiceHandle } from './process.ts';

/**
 * vitest globalSetup: one private Mosquitto, InfluxDB and PostgreSQL for the whole run, on free
 * loopback ports (never the machine's own 1883/8086/5432 services), torn down afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  // In parallel: PostgreSQL's initdb dominates, the other two are up in well under a second.
  const results = await Promise.allSettled([startMosquitto(), startInflux(), startPostgres()]);
  const services = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value as ServiceHandle] : []));
  const teardown = async () => {
    await Promise.allSettled(services.map((s) => s.dispose()));
  };

  const [mosquitto, influx, postgres] = results;
  if (mosquitto.status === 'fulfilled' && influx.status === 'fulfilled' && postgres.status === 'fulfilled') {
    project.provide('mosquittoUrl', mosquitto.value.url);
    project.provide('influxUrl', influx.value.url);
    project.provide('postgresUrl', postgres.value.url);
    if (process.env.CAMFLEET_HARNESS_VERBOSE) {
      console.log(`[harness] services up in ${Date.now() - started} ms: ${services.map((s) => s.url).join(' ')}`);
    }
    return teardown;
  }
  await teardown();
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const [first] = failures;
  if (first instanceof Error && failures.length === 1) throw first;
  throw new Error(failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n\n'));
}
