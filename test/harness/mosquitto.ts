import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { withFreePort } from './ports.ts';
import { childService, removeDirOnFailure, requireBinary, startLogged, type LoggedProcess, type ServiceHandle } from './process.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** Fixed port; default is a free loopback port. */
  port?: number;
  /** Extra mosquitto.conf lines, appended last. */
  extraConfig?: string[];
  /** mosquitto_passwd file; when given, anonymous clients are refused. */
  passwordFile?: string;
  aclFile?: string;
}

export type MosquittoHandle = ServiceHandle;

function config(port: number, dir: string, opts: MosquittoOptions): string {
  const lines = [
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${opts.passwordFile ? 'false' : 'true'}`,
    ...(opts.passwordFile ? [`password_file ${opts.passwordFile}`] : []),
    ...(opts.aclFile ? [`acl_file ${opts.aclFile}`] : []),
    // Sessions and their queued QoS 1 messages survive a broker restart (saved on SIGTERM).
    'persistence true',
    `persistence_location ${dir}/`, // mosquitto wants the trailing slash
    'persistence_file mosquitto.db',
    // The defaults (1000 queued, 20 in flight) make Mosquitto *silently drop* QoS 1 messages for a
    // subscriber that falls behind or is offline (see NOTES.md). Tests count messages end to end,
    // so nothing may be dropped: 0 = no limit.
    'max_queued_messages 0',
    'max_inflight_messages 0',
    'max_queued_bytes 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_timestamp_format %H:%M:%S',
  ];
  // As root, Mosquitto drops to the `mosquitto` user, which cannot write our root-owned temp dir or
  // read a root-only password file. `user root` keeps it as is (ignored when not root).
  if (process.getuid?.() === 0) lines.push('user root');
  return [...lines, ...(opts.extraConfig ?? [])].join('\n') + '\n';
}

/** True once a TCP connect gets a CONNACK (a refusing CONNACK also counts: the broker is up). */
function connackReceived(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = connect(url, { connectTimeout: 1000, reconnectPeriod: 0, clientId: `harness-probe-${process.pid}` });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => {});
      client.end(true);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1500);
    client.once('connect', () => done(true));
    client.once('error', (err: Error & { code?: unknown }) => done(typeof err.code === 'number'));
    client.once('close', () => done(false));
  });
}

/** Start a private Mosquitto on 127.0.0.1 with its config, persistence and log in a temp dir. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoHandle> {
  requireBinary(MOSQUITTO, 'mosquitto');
  const dir = await mkdtemp(join(tmpdir(), 'camfleet-mosquitto-'));
  const logFile = join(dir, 'mosquitto.log');
  const confFile = join(dir, 'mosquitto.conf');
  const launch = async (port: number): Promise<LoggedProcess> => {
    await writeFile(confFile, config(port, dir, opts));
    return startLogged(`mosquitto (port ${port}, dir ${dir})`, MOSQUITTO, ['-c', confFile], {
      logFile,
      cwd: dir,
      ready: () => connackReceived(`mqtt://127.0.0.1:${port}`),
    });
  };
  let port = 0;
  let first: LoggedProcess | undefined;
  // A failed first start removes the dir (the error already quotes the log tail).
  await removeDirOnFailure(dir, () =>
    withFreePort(opts.port, async (p) => {
      port = p;
      first = await launch(p);
    }),
  );

  return childService({ url: `mqtt://127.0.0.1:${port}`, port, dir, logFile }, first!, launch);
}
