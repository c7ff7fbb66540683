// Issue 8 §2 on both brokers: one login per site, and a site confined to its own subtree. The embedded aedes
// broker runs inside an in-process server with a hashed credentials file; the real Mosquitto runs the shipped
// deploy/mosquitto/mosquitto.conf (ports and paths swapped for the test's) with the shipped ACL verbatim, a
// password file and certificates made by the shipped scripts, and an in-process server logged in as
// camfleet-server. On each: a wrong password is refused; site A can neither publish to nor read site B's topics,
// nor send commands; it can publish its own telemetry and read its own commands; the server still rejects and
// counts a payload naming another site than its topic.
import '../harness/provided.ts';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@camfleet/shared';
import { freePort, startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startInProcess, type InProcessServer } from '../bench/ingest/inprocess.ts';
import { announce, telemetry } from '../bench/ingest/sim-agents.ts';
import { testAuthConfig } from '../support/auth.ts';
import { REPO, tempDir } from '../support/processes.ts';

const A = 'acl-shop-a';
const B = 'acl-shop-b';
const SERVER = 'camfleet-server';
const TSX = path.join(REPO, 'node_modules/.bin/tsx');

/** `scripts/site-credentials.ts add …`: the password it prints (stdout holds nothing else). */
function issue(login: string, ...files: string[]): string {
  const out = execFileSync(TSX, [path.join(REPO, 'scripts/site-credentials.ts'), 'add', login, ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const password = out.trim();
  expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  return password;
}

interface Broker {
  name: string;
  url: string;
  protocolVersion: 4 | 5;
  server: InProcessServer;
  /** Does the broker itself count refused publishes at the server (aedes hooks), or drop them silently (Mosquitto)? */
  brokerCountsRefusals: boolean;
}

interface Observed {
  topic: string;
  payload: string;
}

function brokerSuite(get: () => Broker, passwords: () => Record<string, string>): void {
  const clients: MqttClient[] = [];
  const seen: Observed[] = [];
  let observer: MqttClient;
  let seq = 0;

  const login = async (username: string, password: string, extra: mqtt.IClientOptions = {}) => {
    const c = await mqtt.connectAsync(get().url, { protocolVersion: get().protocolVersion, username, password, reconnectPeriod: 0, connectTimeout: 5000, ...extra });
    clients.push(c);
    return c;
  };
  /** The broker's answer to a CONNECT: 'ok', or the CONNACK refusal code. */
  const connack = async (username: string | undefined, password: string | undefined): Promise<string | number> => {
    try {
      await login(username as string, password as string);
      return 'ok';
    } catch (err) {
      return (err as { code?: number }).code ?? String(err);
    }
  };
  /** Publishes once on a fresh connection; the broker may refuse it (PUBACK reason) or drop the connection. */
  const tryPublish = async (topic: string, payload: string) => {
    const c = await login(A, passwords()[A]!);
    await Promise.race([
      c.publishAsync(topic, payload, { qos: 1 }).catch(() => undefined),
      new Promise<void>((r) => c.once('close', () => r())),
    ]);
    c.end(true);
  };
  /** A batch from A on its own topic that the observer must see: everything A sent before it has arrived too. */
  const sentinel = async () => {
    const c = await login(A, passwords()[A]!);
    const batch = telemetry(A, ++seq + 1000, Date.now(), 4);
    await c.publishAsync(topics.telemetry(A), JSON.stringify(batch), { qos: 1 });
    await waitFor(() => seen.some((m) => m.topic === topics.telemetry(A) && m.payload.includes(`"seq":${batch.seq}`)), { timeoutMs: 10_000, what: `sentinel ${batch.seq}` });
    await new Promise((r) => setTimeout(r, 300)); // refused messages would have overtaken it; leave a margin
    c.end(true);
  };
  const refusals = () => get().server.metric('camfleet_ingest_rejected_total', { reason: 'site-mismatch' });

  beforeAll(async () => {
    observer = await login(SERVER, passwords()[SERVER]!);
    await observer.subscribeAsync('camfleet/v1/#', { qos: 1 });
    observer.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    const a = await login(A, passwords()[A]!);
    await announce(a, [A], 4);
    const b = await login(B, passwords()[B]!);
    await announce(b, [B], 4);
    await waitFor(() => get().server.app.core.fleet.hasSite(A) && get().server.app.core.fleet.hasSite(B), { timeoutMs: 10_000, what: 'both sites announced' });
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
  });

  it('refuses a wrong password, another site\'s password, an unknown login and an anonymous client', async () => {
    const notAuthorized = get().protocolVersion === 5 ? [134, 135] : [4, 5]; // MQTT 5 §3.2.2.2 / 3.1.1 §3.2.2.3
    expect(notAuthorized).toContain(await connack(A, 'wrong-password'));
    expect(notAuthorized).toContain(await connack(A, passwords()[B]));
    expect(notAuthorized).toContain(await connack('acl-shop-nobody', passwords()[A]));
    expect(notAuthorized).toContain(await connack(undefined, undefined));
    expect(await connack(A, passwords()[A])).toBe('ok');
  });

  it('takes a site\'s own telemetry into the server', async () => {
    const a = await login(A, passwords()[A]!);
    await a.publishAsync(topics.telemetry(A), JSON.stringify(telemetry(A, ++seq, Date.now(), 4)), { qos: 1 });
    await waitFor(() => get().server.app.core.fleet.deviceStatus(A, 'gw')?.state === 'UP', { timeoutMs: 10_000, what: 'site A telemetry applied' });
  });

  it('site A cannot publish on site B\'s topics, nor send commands to anyone', async () => {
    const before = refusals();
    const forbidden = [
      topics.telemetry(B), topics.event(B), topics.state(B), topics.inventory(B), topics.cmdResult(B, 'reboot'),
      topics.cmd(A, 'reboot'), topics.cmd(B, 'reboot'),
    ];
    for (const [i, topic] of forbidden.entries()) {
      const site = topic.includes(B) ? B : A;
      await tryPublish(topic, JSON.stringify({ ...telemetry(site, 5000 + i, Date.now(), 4), marker: `forbidden-${i}` }));
    }
    await sentinel();
    expect(seen.filter((m) => m.payload.includes('forbidden-')).map((m) => m.topic)).toEqual([]);
    expect(get().server.app.core.fleet.deviceStatus(B, 'gw')?.state).not.toBe('UP'); // B never sent telemetry
    // aedes refuses in its hook and counts each refusal; Mosquitto drops them before the server sees anything.
    expect(refusals() - before).toBe(get().brokerCountsRefusals ? forbidden.length : 0);
  });

  it('site A reads only its own commands: nothing of site B\'s, whatever it subscribes to', async () => {
    const a = await login(A, passwords()[A]!);
    const got: Observed[] = [];
    a.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
    for (const filter of [topics.telemetry(B), topics.cmd(B, '+'), `camfleet/v1/${B}/#`, 'camfleet/v1/+/telemetry', 'camfleet/v1/#', '#']) {
      await a.subscribeAsync(filter, { qos: 1 }).catch(() => undefined); // a refusal may come as a SUBACK code or an error
    }
    await a.subscribeAsync(topics.cmd(A, '+'), { qos: 1 });
    // B's telemetry, a command to B and, as the control, a command to A.
    const b = await login(B, passwords()[B]!);
    await b.publishAsync(topics.telemetry(B), JSON.stringify(telemetry(B, ++seq, Date.now(), 4)), { qos: 1 });
    await observer.publishAsync(topics.cmd(B, 'reload'), JSON.stringify({ v: 1, id: 'acl-b', at: new Date().toISOString() }), { qos: 1 });
    await observer.publishAsync(topics.cmd(A, 'reload'), JSON.stringify({ v: 1, id: 'acl-a', at: new Date().toISOString() }), { qos: 1 });
    await waitFor(() => got.some((m) => m.payload.includes('acl-a')), { timeoutMs: 10_000, what: 'site A to get its own command' });
    await new Promise((r) => setTimeout(r, 500));
    expect(got.filter((m) => !m.topic.startsWith(`camfleet/v1/${A}/cmd/`)).map((m) => m.topic)).toEqual([]);
    expect(got.some((m) => m.payload.includes('acl-b'))).toBe(false);
  });

  it('site A may answer its commands on cmd/<name>/result', async () => {
    const a = await login(A, passwords()[A]!);
    await a.publishAsync(topics.cmdResult(A, 'reload'), JSON.stringify({ v: 1, id: 'acl-a', at: new Date().toISOString(), ok: true, code: 'reloaded', message: 'x' }), { qos: 1 });
    await waitFor(() => seen.some((m) => m.topic === topics.cmdResult(A, 'reload')), { timeoutMs: 10_000, what: 'the result at the server login' });
  });

  it('the server still rejects and counts a payload that names another site than its topic', async () => {
    const before = refusals();
    const a = await login(A, passwords()[A]!);
    await a.publishAsync(topics.telemetry(A), JSON.stringify(telemetry(B, ++seq, Date.now(), 4)), { qos: 1 });
    await waitFor(() => refusals() === before + 1, { timeoutMs: 10_000, what: 'the site-mismatch reject counted' });
  });
}

describe('broker ACL: embedded aedes with a hashed site credentials file', () => {
  const pw: Record<string, string> = {};
  let broker: Broker;
  let credentials: string;

  beforeAll(async () => {
    const dir = tempDir('acl-embedded');
    credentials = path.join(dir, 'sites.txt');
    pw[A] = issue(A, '--file', credentials);
    pw[B] = issue(B, '--file', credentials);
    pw[SERVER] = 'server-login-for-the-observer-0123';
    expect(readFileSync(credentials, 'utf8')).not.toContain(pw[A]);
    const mqttPort = await freePort();
    const server = await startInProcess({
      ...testAuthConfig, mqttPort, mqttSiteCredentials: credentials, mqttUsername: SERVER, mqttPassword: pw[SERVER],
      databaseUrl: undefined, influxUrl: undefined, mqttUrl: undefined, dataDir: path.join(dir, 'data'),
    }, 'acl-embedded');
    broker = { name: 'aedes', url: `mqtt://127.0.0.1:${mqttPort}`, protocolVersion: 4, server, brokerCountsRefusals: true };
  });

  afterAll(async () => {
    await broker?.server.close();
  });

  brokerSuite(() => broker, () => pw);

  it('rotation: a re-issued credential takes effect without a restart; the old password and its connection are out', async () => {
    const old = await mqtt.connectAsync(broker.url, { protocolVersion: 4, username: A, password: pw[A], reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => old.once('close', () => r()));
    const next = issue(A, '--file', credentials);
    await closed; // the file watcher saw the change and dropped the rotated site's connection
    await expect(mqtt.connectAsync(broker.url, { protocolVersion: 4, username: A, password: pw[A], reconnectPeriod: 0 })).rejects.toMatchObject({ code: 4 });
    const fresh = await mqtt.connectAsync(broker.url, { protocolVersion: 4, username: A, password: next, reconnectPeriod: 0 });
    await fresh.endAsync(true);
    old.end(true);
  });
});

describe('broker ACL: Mosquitto with the shipped config, ACL, and credentials from the shipped scripts', () => {
  const pw: Record<string, string> = {};
  let broker: Broker;
  let mosquitto: MosquittoHandle;
  let tlsPort: number;
  let ca: string;

  beforeAll(async () => {
    const dir = tempDir('acl-mosquitto');
    const passwd = path.join(dir, 'passwd');
    pw[A] = issue(A, '--mosquitto-passwd', passwd);
    pw[B] = issue(B, '--mosquitto-passwd', passwd);
    pw[SERVER] = issue(SERVER, '--mosquitto-passwd', passwd);

    // Certificates as docs/deploy.md §4 makes them.
    const pki = path.join(dir, 'pki');
    const certs = path.join(dir, 'certs');
    mkdirSync(certs);
    execFileSync('bash', [path.join(REPO, 'scripts/issue-certs.sh'), '--dir', pki, '--days', '2', 'ca'], { stdio: 'ignore' });
    execFileSync('bash', [path.join(REPO, 'scripts/issue-certs.sh'), '--dir', pki, '--days', '2', 'server', 'localhost', 'DNS:localhost', 'IP:127.0.0.1'], { stdio: 'ignore' });
    copyFileSync(path.join(pki, 'ca.pem'), path.join(certs, 'ca.pem'));
    copyFileSync(path.join(pki, 'localhost.pem'), path.join(certs, 'server.pem'));
    copyFileSync(path.join(pki, 'localhost.key'), path.join(certs, 'server.key'));
    ca = path.join(certs, 'ca.pem');

    // The shipped config with the test's ports and paths. The harness writes its own first lines (a loopback
    // listener, persistence in its dir, password_file and acl_file from the options), so those are left out.
    const shipped = readFileSync(path.join(REPO, 'deploy/mosquitto/mosquitto.conf'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const line of ['allow_anonymous false', 'password_file /mosquitto/config/passwd', 'acl_file /mosquitto/config/acl', 'max_queued_messages 0', 'max_inflight_messages 0', 'listener 8883', 'listener 1883']) {
      expect(shipped).toContain(line);
    }
    tlsPort = await freePort();
    const plainPort = await freePort();
    const extraConfig = shipped
      .filter((l) => !/^(password_file|acl_file|persistence_location|log_dest|log_timestamp_format) /.test(l))
      .map((l) => l.replace('/mosquitto/config/', `${dir}/`).replace(/^listener 8883$/, `listener ${tlsPort} 127.0.0.1`).replace(/^listener 1883$/, `listener ${plainPort} 127.0.0.1`));
    mosquitto = await startMosquitto({ passwordFile: passwd, aclFile: path.join(REPO, 'deploy/mosquitto/acl'), extraConfig });
    const url = `mqtt://127.0.0.1:${plainPort}`;
    const server = await startInProcess({
      ...testAuthConfig, mqttUrl: url, mqttUsername: SERVER, mqttPassword: pw[SERVER], mqttShareGroup: 'acl-test',
      databaseUrl: undefined, influxUrl: undefined, dataDir: path.join(dir, 'data'),
    }, 'acl-mosquitto');
    broker = { name: 'mosquitto', url, protocolVersion: 5, server, brokerCountsRefusals: false };
  });

  afterAll(async () => {
    await broker?.server.close();
    await mosquitto?.dispose();
  });

  brokerSuite(() => broker, () => pw);

  it('serves sites over TLS with the issued certificate: the right login works, a wrong one and an untrusting client do not', async () => {
    const tls = { protocolVersion: 5 as const, reconnectPeriod: 0, connectTimeout: 5000, ca: readFileSync(ca) };
    const a = await mqtt.connectAsync(`mqtts://localhost:${tlsPort}`, { ...tls, username: A, password: pw[A] });
    await a.publishAsync(topics.telemetry(A), JSON.stringify(telemetry(A, 9000, Date.now(), 4)), { qos: 1 });
    await a.endAsync(true);
    await expect(mqtt.connectAsync(`mqtts://localhost:${tlsPort}`, { ...tls, username: A, password: 'wrong' })).rejects.toSatisfy((e: { code?: number }) => e.code === 134 || e.code === 135);
    const { ca: _trust, ...untrusting } = tls;
    await expect(mqtt.connectAsync(`mqtts://localhost:${tlsPort}`, { ...untrusting, username: A, password: pw[A] })).rejects.toThrow(/certificate/i);
  });
});
