// MQTT over TLS with a per-site login (issue 3 §4), on a real Mosquitto: a TLS listener with a test CA,
// a password file and an ACL that confines the site's login to its own subtree. The agent connects with
// mqtts://, the site's CA file and a password file, publishes telemetry and answers commands; with a CA that
// did not sign the broker's certificate it refuses to talk and keeps its telemetry queued.
import '../harness/provided.ts';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult, TelemetryBatch } from '@camfleet/shared';
import { freePort, startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startSimSite, type SimSite } from '../sim/site.ts';
import { startAgent, tempDir, type AgentProcess } from '../support/processes.ts';

const SITE = 'e2e-tls-01';
const SITE_PASS = 'tls-site-secret';
const ADMIN_PASS = 'tls-admin-secret';

function makeCa(dir: string, name: string): { ca: string; key: string } {
  const ca = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', ca, '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  return { ca, key };
}

function serverCert(dir: string, ca: { ca: string; key: string }): { cert: string; key: string } {
  const key = path.join(dir, 'server.key');
  const csr = path.join(dir, 'server.csr');
  const cert = path.join(dir, 'server.pem');
  const ext = path.join(dir, 'san.ext');
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=localhost'], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', ca.ca, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext], { stdio: 'ignore' });
  return { cert, key };
}

describe('agent over TLS with a per-site login', () => {
  let dir: string;
  let broker: MosquittoHandle;
  let tlsPort: number;
  let site: SimSite;
  let admin: mqtt.MqttClient;
  const agents: AgentProcess[] = [];
  const batches: TelemetryBatch[] = [];
  const results: CommandResult[] = [];
  let goodCa: string;
  let otherCa: string;

  beforeAll(async () => {
    dir = tempDir('agent-tls');
    const ca = makeCa(dir, 'camfleet-test-ca');
    goodCa = ca.ca;
    otherCa = makeCa(dir, 'someone-else-ca').ca;
    const server = serverCert(dir, ca);
    const passwd = path.join(dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-b', '-c', passwd, SITE, SITE_PASS]);
    execFileSync('mosquitto_passwd', ['-b', passwd, 'admin', ADMIN_PASS]);
    const acl = path.join(dir, 'acl');
    writeFileSync(acl, `user ${SITE}\ntopic readwrite camfleet/v1/${SITE}/#\n\nuser admin\ntopic readwrite #\n`);
    tlsPort = await freePort();
    broker = await startMosquitto({
      passwordFile: passwd,
      aclFile: acl,
      extraConfig: [`listener ${tlsPort} 127.0.0.1`, `cafile ${ca.ca}`, `certfile ${server.cert}`, `keyfile ${server.key}`, 'tls_version tlsv1.2'],
    });
    site = await startSimSite({ id: SITE, cameras: 1 });
    admin = await mqtt.connectAsync(broker.url, { username: 'admin', password: ADMIN_PASS, protocolVersion: 5 });
    await admin.subscribeAsync([`camfleet/v1/${SITE}/telemetry`, `camfleet/v1/${SITE}/cmd/+/result`], { qos: 1 });
    admin.on('message', (topic, payload) => {
      if (topic.endsWith('/result')) results.push(JSON.parse(payload.toString()) as CommandResult);
      else batches.push(JSON.parse(payload.toString()) as TelemetryBatch);
    });
  });

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await admin?.endAsync(true);
    await site?.close();
    await broker?.dispose();
  });

  function agentWith(name: string, caFile: string): { stateDir: string; log: string } {
    const stateDir = path.join(dir, `${name}-state`);
    const log = path.join(dir, `${name}.log`);
    const config = path.join(dir, `${name}.yaml`);
    writeFileSync(path.join(dir, `${name}.pw`), `${SITE_PASS}\n`, { mode: 0o600 });
    const yaml = site
      .yaml({ mqttUrl: `mqtts://localhost:${tlsPort}`, stateDir, intervalS: 1, timeoutS: 0.5 })
      .replace('mqtt:\n', `mqtt:\n  username: ${SITE}\n  passwordFile: ${name}.pw\n  caFile: ${caFile}\n`);
    writeFileSync(config, yaml, { mode: 0o600 });
    agents.push(startAgent(config, log));
    return { stateDir, log };
  }

  it('publishes telemetry over mqtts:// with the site CA and login, and answers commands within its ACL', async () => {
    const { log } = agentWith('good', goodCa);
    await waitFor(() => batches.length >= 2, { timeoutMs: 30_000, what: 'telemetry over TLS' });
    expect(readFileSync(log, 'utf8')).toContain(`connected to mqtts://localhost:${tlsPort} (MQTT 5)`);
    expect(batches[0]?.site).toBe(SITE);
    await admin.publishAsync(`camfleet/v1/${SITE}/cmd/snapshot`, JSON.stringify({ v: 1, id: 'tls-1', at: new Date().toISOString(), device: 'cam1' }), { qos: 1 });
    await waitFor(() => results.find((r) => r.id === 'tls-1'), { timeoutMs: 10_000, what: 'the command result' });
    // Answered on …/result (any answer proves the ACL lets it through; the snapshot itself is docs/live-view.md's).
    expect(results.find((r) => r.id === 'tls-1')).toMatchObject({ id: 'tls-1', code: expect.any(String) as string });
  });

  it('refuses a broker whose certificate its CA did not sign, keeping telemetry queued', async () => {
    await agents.pop()?.stop();
    const { stateDir, log } = agentWith('wrong-ca', otherCa);
    await waitFor(() => /MQTT: .*(self[- ]signed|unable to verify|certificate)/i.test(readFileSync(log, 'utf8')), { timeoutMs: 20_000, what: 'a certificate error in the agent log' });
    await waitFor(() => readdirSync(path.join(stateDir, 'outbox')).length >= 3, { timeoutMs: 10_000, what: 'telemetry queued in the outbox' });
    expect(readFileSync(log, 'utf8')).not.toContain('connected to');
  });
});
