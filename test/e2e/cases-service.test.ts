// The case service on real PostgreSQL with real notifiers (a loopback webhook receiver and SMTP server), driven by
// synthetic telemetry through FleetState and an injected clock so minutes of polls and retry schedules run in
// seconds: one active case per (root cause, fault) across two instances, grouping, retries with backoff, dead
// letters, recurrence, maintenance silence, the agent-offline case with its after-the-fact root cause, flapping.
import '../harness/provided.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXAMPLE_CONTACTS, type DeviceSample, type SiteSpec } from '@camfleet/shared';
import { casesConfigFromEnv } from '../../server/src/cases/config.ts';
import { draftsFor } from '../../server/src/cases/draft.ts';
import { CaseService } from '../../server/src/cases/service.ts';
import { CaseStore } from '../../server/src/cases/store.ts';
import { openDatabase, type Database } from '../../server/src/db/index.ts';
import { FleetState } from '../../server/src/state/fleet-state.ts';
import { MemoryTimeSeriesStore } from '../../server/src/timeseries/memory-store.ts';
import { createDatabase } from '../harness/index.ts';
import { startSmtpSink, type SmtpSink } from '../sim/smtp.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../sim/webhook-receiver.ts';

const SECRET = 'test-webhook-secret';
const T0 = Date.parse('2026-11-24T01:00:00Z');
const POLL = 5000;

function siteSpec(id: string): SiteSpec {
  return {
    id, name: `Shop ${id}`, region: 'east', contractId: 'ABC1234567', address: '東京都港区芝1-2-3',
    devices: [
      { id: 'gw', segment: 'gateway', model: 'TEK3-IMX6', serial: 'G1', shipDate: '2026-01-10' },
      { id: 'sw', segment: 'switch', parent: 'gw' },
      { id: 'rt', segment: 'router', parent: 'sw' },
      { id: 'onu', segment: 'onu', parent: 'rt' },
      { id: 'cam1', segment: 'camera', parent: 'sw', vendor: 'AXIS', serial: 'ACCC8E100001', shipDate: '2024-04-01', mountHeightM: 2.8 },
      { id: 'cam2', segment: 'camera', parent: 'sw', vendor: 'AXIS', serial: 'ACCC8E100002', shipDate: '2024-04-01', mountHeightM: 5 },
    ],
  };
}

describe('case service on PostgreSQL', () => {
  let db: Database;
  let db2: Database;
  let receiver: WebhookReceiver;
  let smtp: SmtpSink;
  let service: CaseService;
  const fleet = new FleetState(90_000);
  const ts = new MemoryTimeSeriesStore();
  let now = T0;

  beforeAll(async () => {
    const url = await createDatabase(inject('postgresUrl'), 'camfleet_cases_service');
    db = await openDatabase({ databaseUrl: url, dataDir: '' });
    db2 = await openDatabase({ databaseUrl: url, dataDir: '' });
    receiver = await startWebhookReceiver({ secret: SECRET });
    smtp = await startSmtpSink();
    const config = casesConfigFromEnv({
      CAMFLEET_WEBHOOK_URL: receiver.url, CAMFLEET_WEBHOOK_SECRET: SECRET, CAMFLEET_SMTP_URL: smtp.url, CAMFLEET_NOTIFY_EMAIL_TO: 'noc@example.jp',
      CAMFLEET_NOTIFY_GROUP_WINDOW_S: '30', CAMFLEET_NOTIFY_RETRY_S: '10,30,60', CAMFLEET_CASE_RESOLVE_HOLD_S: '60', CAMFLEET_CASE_AGENT_OFFLINE_HOLD_S: '30',
    });
    service = new CaseService({ db, fleet, timeseries: ts, log: () => {}, config, clock: () => now });
    await service.maintenance.reload(now);
  });

  afterAll(async () => {
    await service?.close();
    await receiver?.close();
    await smtp?.close();
    await db2?.close();
    await db?.close();
  });

  /** One poll: every device answers except `down` (cameras get `conditions`); written to FleetState and the store. */
  async function poll(site: string, down: string[] = [], conditions: Record<string, DeviceSample['conditions']> = {}, evaluate = true) {
    const samples = siteSpec(site).devices.map((d): DeviceSample => ({
      device: d.id, at: new Date(now).toISOString(), reachable: !down.includes(d.id),
      conditions: down.includes(d.id) ? ['unreachable'] : conditions[d.id] ?? [],
    }));
    ts.write(samples.map((s) => ({ site, device: s.device, at: now, fields: { reachable: s.reachable ? 1 : 0 } })));
    fleet.applySamples(site, samples, now);
    if (evaluate) await service.evaluate(site);
  }

  function addSite(id: string) {
    fleet.applyInventory(siteSpec(id), now);
    fleet.applyPresence(id, 'online', now - 3_600_000);
  }

  /** Advances the clock in steps, running the outbox at each. */
  async function runOutbox(untilMs: number, stepMs = 1000) {
    for (const end = now + untilMs; now < end; now += stepMs) await service.notify();
  }

  const casesOf = async (site: string) => service.queries.list({ site, limit: 100 });

  it('keeps one active case per (site, root cause, fault) when two instances open it at once', async () => {
    const spec = siteSpec('race-1');
    const [draft] = draftsFor(spec, [{ device: 'onu', conditions: ['unreachable'] }], new Date(now), EXAMPLE_CONTACTS).drafts;
    const stores = [new CaseStore(db), new CaseStore(db2)];
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.open(draft!, { flapping: false, firstSeen: now, at: now, suppressed: true })));
    expect(results.filter((r) => r?.event === 'opened')).toHaveLength(1);
    expect(new Set(results.map((r) => r?.record.id)).size).toBe(1);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.site_id = 'race-1'`);
    expect(rows[0]?.n).toBe(1);
  });

  it('a dead ONU: one case to the line carrier, one webhook and one e-mail listing it; recovery: one resolution each', async () => {
    addSite('shop-1');
    await poll('shop-1', ['onu']);
    now += POLL;
    await poll('shop-1', ['onu']);
    const [c] = await casesOf('shop-1');
    expect(await casesOf('shop-1')).toHaveLength(1);
    expect(c).toMatchObject({ rootCause: 'onu', responsible: 'line-carrier', state: 'open', siteWide: true, affected: ['gw', 'sw', 'rt', 'cam1', 'cam2'] });
    for (let i = 0; i < 6; i++, now += POLL) await poll('shop-1', ['onu']);
    await runOutbox(40_000);
    expect(receiver.deliveries).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
    const hook = receiver.deliveries[0]!;
    expect(hook).toMatchObject({ validSignature: true, idempotencyKey: hook.json.id, attempt: 1 });
    expect(hook.json.events).toEqual([expect.objectContaining({ kind: 'opened', idempotencyKey: `case-${c!.id}-opened` })]);
    expect(hook.json.events[0].case).toMatchObject({ rootCause: 'onu', ticket: { contractId: 'ABC1234567', siteAddress: '東京都港区芝1-2-3' }, cameraSerials: ['cam1=ACCC8E100001', 'cam2=ACCC8E100002'] });
    const mail = smtp.messages[0]!;
    expect(mail.to).toEqual(['noc@example.jp']);
    expect(mail.subject).toContain('回線業者');
    expect(mail.text).toContain('契約ID: ABC1234567');
    expect(mail.text).toContain('Camera serial: cam1=ACCC8E100001, cam2=ACCC8E100002');
    expect(mail.text).toContain('東京都港区芝1-2-3');

    for (let i = 0; i < 14; i++, now += POLL) await poll('shop-1');
    expect((await service.queries.get(c!.id))?.state).toBe('resolved');
    await runOutbox(40_000);
    expect(receiver.deliveries.map((d) => d.json.events[0].kind)).toEqual(['opened', 'resolved']);
    expect(smtp.messages).toHaveLength(2);
    expect(smtp.messages[1]!.subject).toContain('復旧');
    expect((await service.queries.notifications(c!.id)).map((n) => [n.notifier, n.state])).toEqual([['webhook', 'sent'], ['email', 'sent'], ['webhook', 'sent'], ['email', 'sent']]);
  });

  it('groups one site’s events within the window into one message; a failing receiver gets it once, after backoff', async () => {
    addSite('shop-2');
    receiver.failUntil(Number.POSITIVE_INFINITY);
    const before = receiver.deliveries.length;
    await poll('shop-2', ['cam1'], { cam2: ['blur'] });
    now += POLL;
    await poll('shop-2', ['cam1'], { cam2: ['blur'] });
    await runOutbox(35_000); // grouped, first attempt fails; retries after 10 s and 30 s fail too
    await runOutbox(45_000);
    const failed = receiver.attempts.filter((a) => a.status === 503);
    expect(failed.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(new Set(failed.map((a) => a.idempotencyKey)).size).toBe(1);
    receiver.failUntil(0); // back: the next retry (60 s after the third attempt) gets through
    await runOutbox(61_000);
    const got = receiver.deliveries.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ attempt: 4, idempotencyKey: failed[0]!.idempotencyKey });
    expect(got[0]!.json.events.map((e: { case: { rootCause: string } }) => e.case.rootCause)).toEqual(['cam1', 'cam2']);
    await runOutbox(120_000);
    expect(receiver.deliveries.slice(before)).toHaveLength(1);
  });

  it('a message still failing after the last retry is a dead letter, listed and retryable', async () => {
    addSite('shop-3');
    receiver.failUntil(Number.POSITIVE_INFINITY);
    await poll('shop-3', ['cam1']);
    now += POLL;
    await poll('shop-3', ['cam1']);
    await runOutbox(200_000, 2000);
    const dead = await service.outbox.deadLetters(10);
    expect(dead).toEqual([expect.objectContaining({ notifier: 'webhook', site: 'shop-3', state: 'dead', attempts: 4, lastError: 'HTTP 503' })]);
    receiver.failUntil(0);
    await service.outbox.retry(dead[0]!.id, now);
    await runOutbox(3000);
    expect(await service.outbox.deadLetters(10)).toEqual([]);
  });

  it('marks a case for the same device and fault within 3 months of the last resolution as a recurrence', async () => {
    addSite('shop-4');
    const cycle = async () => {
      for (let i = 0; i < 2; i++, now += POLL) await poll('shop-4', ['cam1']);
      for (let i = 0; i < 14; i++, now += POLL) await poll('shop-4');
    };
    await cycle();
    await cycle();
    const [second, first] = await casesOf('shop-4');
    expect(first).toMatchObject({ state: 'resolved', recurrenceOf: null });
    expect(second).toMatchObject({ state: 'resolved', recurrenceOf: first!.id });
    now += 100 * 86_400_000;
    fleet.applyPresence('shop-4', 'online', now - 3_600_000);
    await cycle();
    expect((await casesOf('shop-4'))[0]).toMatchObject({ recurrenceOf: null });
  });

  it('a case an operator resolves while the fault persists does not come back until the fault has recovered', async () => {
    addSite('shop-8');
    for (let i = 0; i < 2; i++, now += POLL) await poll('shop-8', ['cam1']);
    const [c] = await casesOf('shop-8');
    expect((await service.resolveByOperator(c!.id, 'kato', 'known, vendor visiting'))?.record).toMatchObject({ state: 'resolved', resolvedBy: 'kato' });
    for (let i = 0; i < 10; i++, now += POLL) await poll('shop-8', i === 4 ? [] : ['cam1']);
    expect(await casesOf('shop-8')).toHaveLength(1);
    for (let i = 0; i < 14; i++, now += POLL) await poll('shop-8');
    for (let i = 0; i < 2; i++, now += POLL) await poll('shop-8', ['cam1']);
    const [again, first] = await casesOf('shop-8');
    expect(again).toMatchObject({ state: 'open', recurrenceOf: first!.id });
  });

  it('a maintenance window silences new cases for what it covers', async () => {
    addSite('shop-5');
    const w = await service.maintenance.create({ site: 'shop-5', device: 'cam1', start: now - 1000, end: now + 60_000, reason: 'lens cleaning', actor: 'tanaka' }, now);
    for (let i = 0; i < 5; i++, now += POLL) await poll('shop-5', ['cam1']);
    expect(await casesOf('shop-5')).toEqual([]);
    await service.maintenance.remove(w.id, now);
    for (let i = 0; i < 2; i++, now += POLL) await poll('shop-5', ['cam1']);
    expect(await casesOf('shop-5')).toHaveLength(1);
  });

  it('a silent agent: one site-level case with the causes to check; its buffered telemetry names the ONU afterwards', async () => {
    addSite('shop-6');
    await poll('shop-6');
    const lastTelemetry = now;
    now += 10_000;
    fleet.applyPresence('shop-6', 'offline', now);
    const silentFrom = now;
    now += 31_000;
    await service.evaluate('shop-6');
    const [c] = await casesOf('shop-6');
    expect(c).toMatchObject({ rootCause: '@agent', fault: 'agent-offline', state: 'open', responsible: null, siteWide: true });
    expect(c!.possibleCauses?.map((p) => p.id)).toEqual(['line', 'router', 'power', 'gateway']);
    expect(c!.evidence).toMatchObject({ agent: 'offline', lastTelemetry: new Date(lastTelemetry).toISOString() });
    // The agent comes back and replays what it buffered: the ONU was down from 20 s into the silence for 2 minutes.
    now = silentFrom + 300_000;
    fleet.applyPresence('shop-6', 'online', now);
    for (let t = silentFrom; t < now; t += 20_000) {
      const down = t >= silentFrom + 20_000 && t < silentFrom + 140_000;
      ts.write([{ site: 'shop-6', device: 'onu', at: t, fields: { reachable: down ? 0 : 1 } }]);
    }
    now += 1000;
    await poll('shop-6');
    const updated = await service.queries.get(c!.id);
    expect(updated?.afterTheFact).toMatchObject({ rootCause: 'onu', responsible: 'line-carrier', cause: 'line' });
    expect(updated?.afterTheFact?.timeline.map((e) => e.event)).toEqual(['agent-silent', 'device-down', 'device-up', 'agent-back']);
    expect(updated?.responsible).toBe('line-carrier');
    for (let i = 0; i < 13; i++, now += POLL) await poll('shop-6');
    expect((await service.queries.get(c!.id))?.state).toBe('resolved');
  });

  it('a camera alternating up/down every poll for 10 minutes opens at most one case, marked flapping', async () => {
    addSite('shop-7');
    for (let i = 0; i <= 120; i++, now += POLL) await poll('shop-7', i % 2 === 0 ? ['cam2'] : []);
    const cases = await casesOf('shop-7');
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ rootCause: 'cam2', state: 'open', flapping: true });
    const log = await service.queries.log(cases[0]!.id);
    expect(log[0]).toMatchObject({ action: 'opened', detail: { flapping: true } });
  });
});
