import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, withFreePort } from './ports.ts';
import { childService, removeDirOnFailure, requireBinary, startLogged, type LoggedProcess, type ServiceHandle } from './process.ts';

const INFLUXD = '/usr/bin/influxd';

export interface InfluxOptions {
  /** Fixed HTTP port; default is a free loopback port. */
  port?: number;
}

export type InfluxHandle = ServiceHandle;

function config(port: number, rpcPort: number, dir: string): string {
  return `# Written by the camfleet test harness (InfluxDB 1.6 / Debian).
reporting-disabled = true
# Backup/restore RPC port: 8088 by default, which collides between two instances.
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${dir}/meta"
  logging-enabled = false

[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false

[monitor]
  # Otherwise every instance writes an _internal database every 10 s.
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  pprof-enabled = false

[continuous_queries]
  log-enabled = false

[logging]
  level = "warn"
  suppress-logo = true
`;
}

async function pingOk(url: string): Promise<boolean> {
  const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
  return res.status === 204;
}

/** Start a private influxd 1.x on 127.0.0.1 with config, data and log in a temp dir. */
export async function startInflux(opts: InfluxOptions = {}): Promise<InfluxHandle> {
  requireBinary(INFLUXD, 'influxdb');
  const dir = await mkdtemp(join(tmpdir(), 'camfleet-influxdb-'));
  const logFile = join(dir, 'influxd.log');
  const confFile = join(dir, 'influxdb.conf');
  const launch = async (port: number): Promise<LoggedProcess> => {
    const url = `http://127.0.0.1:${port}`;
    return startLogged(`influxd (port ${port}, dir ${dir})`, INFLUXD, ['-config', confFile], {
      logFile,
      cwd: dir,
      ready: () => pingOk(url),
    });
  };
  let port = 0;
  let first: LoggedProcess | undefined;
  // A failed first start removes the dir (the error already quotes the log tail).
  await removeDirOnFailure(dir, () =>
    withFreePort(opts.port, async (p) => {
      port = p;
      await writeFile(confFile, config(port, await freePort(), dir));
      first = await launch(port);
    }),
  );

  // Same config file on restart, so the same ports (HTTP and RPC) and data dirs: data written before stop() is kept.
  return childService({ url: `http://127.0.0.1:${port}`, port, dir, logFile }, first!, launch);
}
