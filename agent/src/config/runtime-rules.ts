// Cross-field checks of the runtime settings (issue 3): agent.device, TLS files, the per-probe schedule,
// and the reboot policy's maintenance windows and time zone. Like rules.ts, each check skips values of the
// wrong type (the schema reports those).
import { DEFAULT_POLL_INTERVAL_S } from './rules.ts';
import type { Finding } from './schema-errors.ts';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function runtimeFindings(root: Rec, devices: ReadonlyArray<Rec | undefined>): Finding[] {
  return [...agentFindings(root, devices), ...tlsFindings(root), ...scheduleFindings(root), ...rebootFindings(root), ...imageFindings(root)];
}

function agentFindings(root: Rec, devices: ReadonlyArray<Rec | undefined>): Finding[] {
  const device = str(rec(root.agent)?.device);
  if (device === undefined || devices.some((d) => str(d?.id) === device)) return [];
  return [{ path: ['agent', 'device'], message: `no device "${device}"` }];
}

function tlsFindings(root: Rec): Finding[] {
  const mqtt = rec(root.mqtt);
  if (!mqtt) return [];
  const out: Finding[] = [];
  const url = str(mqtt.url) ?? '';
  const tls = /^(mqtts|wss|tls):/i.test(url);
  for (const key of ['caFile', 'certFile', 'keyFile']) {
    if (mqtt[key] !== undefined && !tls && url) out.push({ path: ['mqtt', key], message: `TLS files need an mqtts:// or wss:// url (url is "${url}")` });
  }
  if ((mqtt.certFile === undefined) !== (mqtt.keyFile === undefined)) {
    const missing = mqtt.certFile === undefined ? 'certFile' : 'keyFile';
    out.push({ path: ['mqtt', mqtt.certFile === undefined ? 'keyFile' : 'certFile'], message: `a client certificate needs both certFile and keyFile (${missing} is missing)` });
  }
  return out;
}

function scheduleFindings(root: Rec): Finding[] {
  const poll = rec(root.poll);
  if (!poll) return [];
  const out: Finding[] = [];
  const interval = num(poll.intervalS) ?? DEFAULT_POLL_INTERVAL_S;
  const jitter = num(poll.jitterS);
  if (jitter !== undefined && jitter >= interval) out.push({ path: ['poll', 'jitterS'], message: `jitterS (${jitter}) must be less than intervalS (${interval})` });
  const probes = rec(poll.probes) ?? {};
  for (const [kind, value] of Object.entries(probes)) {
    const p = rec(value);
    if (!p) continue;
    const every = num(p.intervalS);
    if (every !== undefined && every < interval) {
      out.push({ path: ['poll', 'probes', kind, 'intervalS'], message: `${every} is shorter than the poll cycle (poll.intervalS ${interval}); a probe runs at most once a cycle` });
    }
    const timeout = num(p.timeoutS);
    if (timeout !== undefined && timeout >= interval) {
      out.push({ path: ['poll', 'probes', kind, 'timeoutS'], message: `timeoutS (${timeout}) must be less than poll.intervalS (${interval})` });
    }
  }
  return out;
}

function rebootFindings(root: Rec): Finding[] {
  const reboot = rec(root.reboot);
  if (!reboot) return [];
  const out: Finding[] = [];
  const tz = str(reboot.timezone);
  if (tz !== undefined && !validTimeZone(tz)) out.push({ path: ['reboot', 'timezone'], message: `"${tz}" is not an IANA time zone (e.g. Asia/Tokyo)` });
  if (Array.isArray(reboot.steps)) {
    const seen = new Set<unknown>();
    reboot.steps.forEach((step, i) => {
      if (seen.has(step)) out.push({ path: ['reboot', 'steps', i], message: `"${String(step)}" is listed twice` });
      seen.add(step);
    });
  }
  const windows = Array.isArray(reboot.maintenanceWindows) ? reboot.maintenanceWindows : [];
  windows.forEach((value, i) => {
    const w = rec(value);
    if (!w) return;
    const at = (key: string): Finding['path'] => ['reboot', 'maintenanceWindows', i, key];
    const weekly = w.from !== undefined || w.to !== undefined || w.days !== undefined;
    const oneOff = w.start !== undefined || w.end !== undefined;
    if (weekly && oneOff) out.push({ path: at('start'), message: 'a window is either weekly (days, from, to) or one-off (start, end), not both' });
    else if (!weekly && !oneOff) out.push({ path: ['reboot', 'maintenanceWindows', i], message: 'give from and to (weekly, optional days) or start and end (one-off)' });
    else if (weekly) {
      if (w.from === undefined || w.to === undefined) out.push({ path: at(w.from === undefined ? 'from' : 'to'), message: 'a weekly window needs both from and to' });
      else if (w.from === w.to) out.push({ path: at('to'), message: 'from and to are equal: the window would be empty' });
    } else {
      const start = Date.parse(str(w.start) ?? '');
      const end = Date.parse(str(w.end) ?? '');
      if (w.start === undefined || w.end === undefined) out.push({ path: at(w.start === undefined ? 'start' : 'end'), message: 'a one-off window needs both start and end' });
      else if (Number.isFinite(start) && Number.isFinite(end) && end <= start) out.push({ path: at('end'), message: 'end must be after start' });
    }
  });
  return out;
}

/** The frozen check compares each frame with the one grabbed before it: a gap as long as the grab interval never passes. */
function imageFindings(root: Rec): Finding[] {
  const gap = num(rec(root.image)?.frozenGapS);
  if (gap === undefined) return [];
  const poll = rec(root.poll);
  const interval = num(poll?.intervalS) ?? DEFAULT_POLL_INTERVAL_S;
  const rtsp = rec(rec(poll?.probes)?.rtsp);
  if (rtsp?.enabled === false) return [];
  // Rounded up to whole poll cycles, as the schedule runs it (runtime/schedule.ts).
  const every = Math.ceil(Math.max(num(rtsp?.intervalS) ?? interval, interval) / interval - 1e-9) * interval;
  if (gap < every) return [];
  return [{ path: ['image', 'frozenGapS'], message: `${gap} is not shorter than the time between two frame grabs (rtsp every ${every} s): frozen pictures would never be judged` }];
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
