// Checks the schema cannot express: references between devices, addresses, real dates, cross-field rules.
// They run on the raw value even when the schema found problems (so one pass reports everything), and
// each rule skips values of the wrong type, which the schema has already reported.
import { isIP } from 'node:net';
import { ID_PATTERN } from '@camfleet/shared';
import { PROTOCOL_BLOCKS } from './schema.ts';
import type { Finding } from './schema-errors.ts';
import { runtimeFindings } from './runtime-rules.ts';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export const DEFAULT_POLL_INTERVAL_S = 30;
export const DEFAULT_POLL_TIMEOUT_S = 5;
export const MQTT_SCHEMES = ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:'];

export function ruleFindings(raw: unknown): Finding[] {
  const root = rec(raw);
  if (!root) return [];
  const devices = Array.isArray(root.devices) ? root.devices.map(rec) : [];
  return [
    ...deviceFindings(devices),
    ...topologyFindings(devices),
    ...settingsFindings(root),
    ...runtimeFindings(root, devices),
  ];
}

function deviceFindings(devices: ReadonlyArray<Rec | undefined>): Finding[] {
  const out: Finding[] = [];
  devices.forEach((d, i) => {
    if (!d) return;
    const address = str(d.address);
    if (address !== undefined) {
      const problem = addressProblem(address);
      if (problem) out.push({ path: ['devices', i, 'address'], message: problem });
    } else if (d.address === undefined) {
      // A protocol block is useless without somewhere to send it.
      // `poe` names a port on the parent switch, and an rtsp block with its own URL has its host already.
      const needs = Object.keys(PROTOCOL_BLOCKS).filter((k) => d[k] !== undefined && k !== 'poe' && !(k === 'rtsp' && (d.rtsp as Rec | undefined)?.url));
      if (needs.length > 0) {
        out.push({ path: ['devices', i, 'address'], message: `required field is missing (${needs.join(', ')} needs it)` });
      }
    }
    for (const field of ['purchaseDate', 'shipDate'] as const) {
      const date = str(d[field]);
      if (date !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(date) && !isCalendarDate(date)) {
        out.push({ path: ['devices', i, field], message: `"${date}" is not a real calendar date` });
      }
    }
  });
  return out;
}

function topologyFindings(devices: ReadonlyArray<Rec | undefined>): Finding[] {
  const out: Finding[] = [];
  const indexOf = new Map<string, number>();
  devices.forEach((d, i) => {
    const id = str(d?.id);
    if (id === undefined) return;
    const first = indexOf.get(id);
    if (first === undefined) indexOf.set(id, i);
    else out.push({ path: ['devices', i, 'id'], message: `duplicate device id "${id}" (also devices[${first}])` });
  });

  const parentOf = (i: number): string | undefined => str(devices[i]?.parent);
  devices.forEach((_, i) => {
    const parent = parentOf(i);
    if (parent !== undefined && !indexOf.has(parent)) {
      out.push({ path: ['devices', i, 'parent'], message: `no device "${parent}"` });
    }
  });

  // Each device has at most one parent, so cycles are disjoint; report each once, at its first device.
  const state = new Map<number, 'walking' | 'done'>();
  for (let start = 0; start < devices.length; start++) {
    const walk: number[] = [];
    let i: number | undefined = start;
    while (i !== undefined && !state.has(i)) {
      state.set(i, 'walking');
      walk.push(i);
      const parent = parentOf(i);
      i = parent === undefined ? undefined : indexOf.get(parent);
    }
    if (i !== undefined && state.get(i) === 'walking') {
      const cycle = walk.slice(walk.indexOf(i));
      const first = Math.min(...cycle);
      const from = cycle.indexOf(first);
      const ordered = [...cycle.slice(from), ...cycle.slice(0, from), first];
      const names = ordered.map((k) => str(devices[k]?.id) ?? `devices[${k}]`);
      out.push({ path: ['devices', first, 'parent'], message: `parent cycle: ${names.join(' → ')}` });
    }
    for (const k of walk) state.set(k, 'done');
  }
  return out;
}

function settingsFindings(root: Rec): Finding[] {
  const out: Finding[] = [];
  const mqtt = rec(root.mqtt);
  const url = str(mqtt?.url);
  if (url) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !MQTT_SCHEMES.includes(parsed.protocol) || !parsed.hostname) {
      out.push({ path: ['mqtt', 'url'], message: `"${url}" is not a broker URL; expected mqtt://, mqtts://, ws:// or wss://HOST[:PORT]` });
    }
  }
  if (mqtt && mqtt.password !== undefined && mqtt.passwordFile !== undefined) {
    out.push({ path: ['mqtt', 'passwordFile'], message: 'give either password or passwordFile, not both' });
  }

  const poll = rec(root.poll);
  const interval = num(poll?.intervalS) ?? DEFAULT_POLL_INTERVAL_S;
  const timeout = num(poll?.timeoutS) ?? DEFAULT_POLL_TIMEOUT_S;
  if (timeout >= interval) {
    const path = poll?.timeoutS !== undefined ? 'timeoutS' : 'intervalS';
    out.push({ path: ['poll', path], message: `timeoutS (${timeout}) must be less than intervalS (${interval})` });
  }

  // The default agent id is derived; make sure it is still a valid id (site ids may use the full 64).
  const siteId = str(rec(root.site)?.id);
  if (rec(root.agent)?.id === undefined && siteId && new RegExp(ID_PATTERN).test(siteId)) {
    if (!new RegExp(ID_PATTERN).test(defaultAgentId(siteId))) {
      out.push({ path: ['agent', 'id'], message: `the default "${defaultAgentId(siteId)}" is too long; set agent.id` });
    }
  }
  return out;
}

export const defaultAgentId = (siteId: string): string => `${siteId}-gw`;

/** Why `address` is not an IPv4/IPv6 address or host name, or undefined when it is fine. */
export function addressProblem(address: string): string | undefined {
  if (isIP(address) !== 0 || isHostName(address)) return undefined;
  const shown = JSON.stringify(address);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return `${shown} is a URL; give only the host name or IP address`;
  if (/^[^:]+:\d+$/.test(address)) return `${shown} includes a port; give the port in the protocol block (e.g. onvif.port)`;
  return `${shown} is not an IPv4 address, IPv6 address or host name`;
}

function isHostName(name: string): boolean {
  const host = name.endsWith('.') ? name.slice(0, -1) : name;
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  // An all-numeric last label means someone meant an IPv4 address (e.g. 192.168.1.300), not a name.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

/** YYYY-MM-DD that names a day that exists (no 2024-02-30, no month 13). */
export function isCalendarDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}
