// Issue 5 acceptance on real services: Mosquitto, InfluxDB, PostgreSQL, the server and the agent as their own
// processes, a simulated site, a loopback webhook receiver and a real SMTP server. The ONU goes down → exactly one
// case to the line carrier listing every device behind it, one webhook delivery and one e-mail; it comes back → the
// case resolves and one resolution notification goes out. A webhook receiver that fails for a while (5 s here, on a
// retry schedule of 1, 2, 4, 8, 16 s — the production default starts 10 s, 30 s, 1 min, 2 min, 5 min; see
// docs/cases.md) gets the notification once when it recovers. A killed agent opens one site-level case.
import '../harness/provided.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CaseRecord, CaseSummary } from '@camfleet/shared';
import { createDatabase, startMosquitto, type MosquittoHandle } from '../harness/index.ts';
import { startSimSite, type SimSite } from '../sim/site.ts';
import { startSmtpSink, type SmtpSink } from '../sim/smtp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../sim/webhook-receiver.ts';
import { authHeaders, socketAuth } from '../support/auth.ts';
import { startAgent, startServer, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

const SITE = 'cases-shop-01';
const DB = 'camfleet_e2e_cases';
const SECRET = 'e2e-webhook-secret';
const ADDRESS = '東京都新宿区西新宿2-8-1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cases and notifications on real services', () => {
  let site: SimSite;
  // Its own broker: on the run's shared one this server would also see other test files' agents come and go
  // (agent/state is not a shared subscription) and open — and notify — agent-offline cases for their sites.
  let mosquitto: MosquittoHandle;
  let server: ServerProcess;
  let agent: AgentProcess;
  let receiver: WebhookReceiver;
  let smtp: SmtpSink;
  let socket: Socket;
  let config: string;
  let agentDir: string;
  const pushed: CaseSummary[] = [];

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    receiver = await startWebhookReceiver({ secret: SECRET });
    smtp = await startSmtpSink();
    site = await startSimSite({ id: SITE, cameras: 2 });
    server = await startServer({
      name: 'cases',
      env: {
        CAMFLEET_MQTT_URL: mosquitto.url,
        CAMFLEET_INFLUX_URL: `${inject('influxUrl')}/${DB}`,
        CAMFLEET_DATABASE_URL: await createDatabase(inject('postgresUrl'), DB),
        CAMFLEET_MQTT_SHARE_GROUP: 'cases-e2e',
        CAMFLEET_WEBHOOK_URL: receiver.url,
        CAMFLEET_WEBHOOK_SECRET: SECRET,
        CAMFLEET_SMTP_URL: smtp.url,
        CAMFLEET_NOTIFY_EMAIL_TO: 'noc@example.jp',
        CAMFLEET_NOTIFY_GROUP_WINDOW_S: '2',
        CAMFLEET_NOTIFY_RETRY_S: '1,2,4,8,16',
        CAMFLEET_CASE_HOLD_POLLS: '2',
        CAMFLEET_CASE_RESOLVE_HOLD_S: '6',
        CAMFLEET_CASE_AGENT_OFFLINE_HOLD_S: '2',
      },
    });
    agentDir = tempDir('agent-cases');
    config = path.join(agentDir, 'site.yaml');
    const yaml = site.yaml({ mqttUrl: mosquitto.url, stateDir: path.join(agentDir, 'state'), intervalS: 2, timeoutS: 1, keepaliveS: 2 });
    writeFileSync(config, yaml.replace('  contractId: DEM0000001\n', `  contractId: DEM0000001\n  address: ${ADDRESS}\n`), { mode: 0o600 });
    agent = startAgent(config, path.join(agentDir, 'agent.log'));
    socket = io(server.url, { path: '/socket.io', transports: ['websocket'], ...socketAuth() });
    socket.on('cases:update', (cases: CaseSummary[]) => pushed.push(...cases));
  });

  afterAll(async () => {
    socket?.close();
    await agent?.stop();
    await server?.stop();
    await site?.close();
    await receiver?.close();
    await smtp?.close();
    await mosquitto?.dispose();
  });

  const api = async <T>(p: string): Promise<T> => (await fetch(`${server.url}${p}`, { headers: authHeaders() })).json() as Promise<T>;
  const siteCases = async (state?: string) => (await api<{ cases: CaseRecord[] }>(`/api/v1/cases?site=${SITE}${state ? `&state=${state}` : ''}`)).cases;
  const allUp = async () => {
    const res = await fetch(`${server.url}/api/v1/sites/${SITE}`, { headers: authHeaders() });
    if (res.status !== 200) return false;
    const body = (await res.json()) as { devices: { device: string; state: string }[] };
    return ['gw', 'sw', 'rt', 'onu', 'cam1', 'cam2'].every((id) => body.devices.find((d) => d.device === id)?.state === 'UP');
  };
  const hooksFor = (caseId: number, kind: string) =>
    receiver.deliveries.filter((d) => d.json.events.some((e: { kind: string; case: { id: number } }) => e.kind === kind && e.case.id === caseId));

  it('a dead ONU: one case to the line carrier, one webhook and one e-mail; back up: resolved, one resolution each', async () => {
    await expect.poll(allUp, { timeout: 45_000, interval: 500 }).toBe(true);
    expect(await siteCases()).toEqual([]);

    await site.devices.get('onu')!.stop();
    await expect.poll(async () => (await siteCases('active')).length, { timeout: 30_000, interval: 500 }).toBe(1);
    const [c] = await siteCases('active');
    expect(c).toMatchObject({ rootCause: 'onu', segment: 'onu', fault: 'unreachable', responsible: 'line-carrier', side: 'customer', severity: 'critical', siteWide: true });
    expect([...c!.affected].sort()).toEqual(['cam1', 'cam2', 'gw', 'rt', 'sw']);
    expect(c!.actions).toEqual(['contact-line-carrier']);
    expect(c!.ticket).toMatchObject({ contractId: 'DEM0000001', siteAddress: ADDRESS });

    await expect.poll(() => receiver.deliveries.length + smtp.messages.length, { timeout: 20_000, interval: 250 }).toBe(2);
    await sleep(6000); // three more polls and grouping windows: nothing else may go out
    expect(await siteCases()).toHaveLength(1);
    expect(receiver.deliveries, JSON.stringify(receiver.deliveries.map((d) => d.json.events.map((e: { kind: string; case: { id: number; rootCause: string; fault: string } }) => [e.kind, e.case.id, e.case.rootCause, e.case.fault])))).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
    const hook = receiver.deliveries[0]!;
    expect(hook).toMatchObject({ validSignature: true, idempotencyKey: hook.json.id });
    expect(hook.json).toMatchObject({ type: 'camfleet.case-events', version: 1, site: { id: SITE, contractId: 'DEM0000001', address: ADDRESS } });
    expect(hook.json.events).toEqual([expect.objectContaining({ kind: 'opened', idempotencyKey: `case-${c!.id}-opened` })]);
    expect(hook.json.events[0].case.cameraSerials).toEqual(['cam1=ACCC8E100001', 'cam2=ACCC8E100002']);
    const mail = smtp.messages[0]!;
    expect(mail.to).toEqual(['noc@example.jp']);
    expect(mail.subject).toContain('回線業者');
    expect(mail.subject).toContain('line carrier');
    expect(mail.text).toContain('契約ID: DEM0000001');
    expect(mail.text).toContain(`Site address: ${ADDRESS}`);
    expect(mail.text).toContain('Camera serial: cam1=ACCC8E100001, cam2=ACCC8E100002');
    expect(pushed.some((p) => p.id === c!.id && p.state === 'open')).toBe(true);

    await site.devices.get('onu')!.start();
    await expect.poll(async () => (await api<CaseRecord>(`/api/v1/cases/${c!.id}`)).state, { timeout: 30_000, interval: 500 }).toBe('resolved');
    await expect.poll(() => receiver.deliveries.length + smtp.messages.length, { timeout: 20_000, interval: 250 }).toBe(4);
    await sleep(6000);
    expect(receiver.deliveries).toHaveLength(2);
    expect(smtp.messages).toHaveLength(2);
    expect(hooksFor(c!.id, 'resolved')).toHaveLength(1);
    expect(smtp.messages[1]!.subject).toContain('Resolved');
    expect(await siteCases()).toHaveLength(1);
    await expect.poll(() => pushed.some((p) => p.id === c!.id && p.state === 'resolved'), { timeout: 5000 }).toBe(true);
  }, 180_000);

  it('a webhook receiver failing for 5 s gets the notification once when it recovers, through the retry schedule', async () => {
    receiver.failUntil(Number.POSITIVE_INFINITY);
    const attemptsBefore = receiver.attempts.length;
    await site.cameras.get('cam1')!.stop();
    await expect.poll(() => receiver.attempts.length > attemptsBefore, { timeout: 30_000, interval: 250 }).toBe(true);
    receiver.failUntil(Date.now() + 5000);
    const [c] = await siteCases('active');
    expect(c).toMatchObject({ rootCause: 'cam1', responsible: 'support-center', actions: ['contact-support-center', 'request-exchange'] });
    await expect.poll(() => hooksFor(c!.id, 'opened').length, { timeout: 30_000, interval: 250 }).toBe(1);
    const failed = receiver.attempts.slice(attemptsBefore).filter((a) => a.status === 503);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(failed.map((a) => a.idempotencyKey))).toEqual(new Set([hooksFor(c!.id, 'opened')[0]!.idempotencyKey]));
    const detail = await api<CaseRecord & { notifications: { notifier: string; state: string; attempts: number }[] }>(`/api/v1/cases/${c!.id}`);
    const webhook = detail.notifications.find((n) => n.notifier === 'webhook')!;
    expect(webhook).toMatchObject({ state: 'sent', attempts: failed.length + 1 });
    await sleep(5000);
    expect(hooksFor(c!.id, 'opened')).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.text.includes(`#${c!.id} `))).toHaveLength(1);
    await site.cameras.get('cam1')!.start();
    await expect.poll(async () => (await api<CaseRecord>(`/api/v1/cases/${c!.id}`)).state, { timeout: 30_000, interval: 500 }).toBe('resolved');
  }, 120_000);

  it('a killed agent opens one site-level case listing the causes to check; it resolves when the agent is back', async () => {
    await agent.kill();
    await expect.poll(async () => (await siteCases('active')).filter((c) => c.fault === 'agent-offline').length, { timeout: 30_000, interval: 500 }).toBe(1);
    const [c] = (await siteCases('active')).filter((x) => x.fault === 'agent-offline');
    expect(c).toMatchObject({ rootCause: '@agent', siteWide: true, side: 'customer' });
    expect(c!.possibleCauses?.map((p) => [p.id, p.device])).toEqual([['line', 'onu'], ['router', 'rt'], ['power', null], ['gateway', 'gw']]);
    expect(c!.evidence).toMatchObject({ agent: 'offline', lastTelemetry: expect.any(String) });
    await sleep(3000);
    expect((await siteCases('active')).filter((x) => x.fault === 'agent-offline')).toHaveLength(1);
    agent = startAgent(config, path.join(agentDir, 'agent-2.log'));
    await expect.poll(async () => (await api<CaseRecord>(`/api/v1/cases/${c!.id}`)).state, { timeout: 40_000, interval: 500 }).toBe('resolved');
    const resolved = await api<CaseRecord>(`/api/v1/cases/${c!.id}`);
    expect(resolved.afterTheFact?.timeline[0]?.event).toBe('agent-silent');
    expect(resolved.afterTheFact?.timeline.at(-1)?.event).toBe('agent-back');
  }, 120_000);
});
