// PoE switch: port power states from POWER-ETHERNET-MIB (RFC 3621) pethPsePortTable, and the power-cycle
// primitive the reboot ladder uses on a camera that no longer answers (pethPsePortAdminEnable false → wait →
// true, each SET verified by reading the object back).
import type { AgentDevice, PoeSettings } from '../../config/types.ts';
import {
  DETECTION,
  PETH_ADMIN_ENABLE_COLUMN,
  PETH_DETECTION_STATUS_COLUMN,
  PETH_PSE_PORT_TABLE,
  pethAdminEnableOid,
  SYS_UPTIME,
  TRUTH_FALSE,
  TRUTH_TRUE,
} from './oids.ts';
import { SnmpError, withSnmpSession, type SnmpSession } from './session.ts';
import type { PollOutcome } from './system.ts';
import { uptimeMetrics } from './uptime.ts';

/**
 * Metrics this probe may put in one switch sample. A sample holds at most 64 (DeviceSampleSchema in
 * shared/src/mqtt.ts) and other probes of the same device add theirs, so per-port keys stop at this budget —
 * faulty ports first, then disabled ones, then the rest in port order — and `poePortsOmitted` counts the others.
 */
export const SWITCH_METRIC_BUDGET = 48;
const DEFAULT_GROUP = 1;
const DEFAULT_OP_TIMEOUT_MS = 5000;
const MAX_OFF_MS = 10 * 60_000;
const ON_ATTEMPTS = 3;

interface PortState {
  group: number;
  port: number;
  enabled: boolean;
  on: boolean;
  fault: boolean;
}

/** Metric key of a port: `poe.<port>.<what>` in group 1, `poe.<group>.<port>.<what>` in other groups. */
export function poeMetricKey(group: number, port: number, what: 'on' | 'fault'): string {
  return group === DEFAULT_GROUP ? `poe.${port}.${what}` : `poe.${group}.${port}.${what}`;
}

export async function pollSwitch(session: SnmpSession, deviceId: string): Promise<PollOutcome> {
  const values = await session.get([SYS_UPTIME]);
  const rows = await session.tableColumns(PETH_PSE_PORT_TABLE, [PETH_ADMIN_ENABLE_COLUMN, PETH_DETECTION_STATUS_COLUMN]);
  const ports: PortState[] = [];
  for (const [index, row] of rows) {
    const [group, port] = index.split('.').map(Number);
    if (!Number.isInteger(group) || !Number.isInteger(port)) continue;
    const detection = row.get(PETH_DETECTION_STATUS_COLUMN);
    ports.push({
      group: group!,
      port: port!,
      enabled: row.get(PETH_ADMIN_ENABLE_COLUMN) === TRUTH_TRUE,
      on: detection === DETECTION.deliveringPower,
      fault: detection === DETECTION.fault || detection === DETECTION.otherFault,
    });
  }
  const metrics: Record<string, number> = {
    ...uptimeMetrics(deviceId, values),
    poePorts: ports.length,
    poePortsOn: ports.filter((p) => p.on).length,
    poePortsFault: ports.filter((p) => p.fault).length,
    poePortsDisabled: ports.filter((p) => !p.enabled).length,
  };
  const rank = (p: PortState) => (p.fault ? 0 : p.enabled ? 2 : 1);
  const ordered = [...ports].sort((a, b) => rank(a) - rank(b) || a.group - b.group || a.port - b.port);
  let omitted = 0;
  for (const p of ordered) {
    const keys = p.fault ? 2 : 1;
    // Two keys stay free: poePortsOmitted and the probe's snmpMs.
    if (Object.keys(metrics).length + keys > SWITCH_METRIC_BUDGET - 2) {
      omitted++;
      continue;
    }
    metrics[poeMetricKey(p.group, p.port, 'on')] = p.on ? 1 : 0;
    if (p.fault) metrics[poeMetricKey(p.group, p.port, 'fault')] = 1;
  }
  if (omitted) metrics.poePortsOmitted = omitted;
  if (ports.length === 0) {
    return { conditions: [], metrics, error: { code: 'poe-mib-missing', message: 'switch has no RFC 3621 pethPsePortTable' } };
  }
  return { conditions: [], metrics };
}

export interface PoeOpOptions {
  /** Budget for each SET plus its read-back (default 5000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PowerCycleResult {
  group: number;
  port: number;
  /** When the port was verified off, and back on (ISO times). */
  offAt: string;
  onAt: string;
}

/**
 * Switches PoE power of one port of `switchDevice` on or off (pethPsePortAdminEnable true/false) and verifies
 * it by reading the object back. Needs `snmp.writeCommunity`; without one it refuses before sending anything.
 * `port` is the port number in group 1, or a camera's `poe` block.
 */
export async function setPoePort(switchDevice: AgentDevice, port: number | PoeSettings, on: boolean, opts: PoeOpOptions = {}): Promise<void> {
  const { group, port: index } = typeof port === 'number' ? { group: DEFAULT_GROUP, port } : { group: port.group ?? DEFAULT_GROUP, port: port.port };
  if (!switchDevice.snmp?.writeCommunity) {
    throw new SnmpError(
      'snmp-no-write-community',
      `switch ${switchDevice.id} has no snmp.writeCommunity: PoE port ${group}.${index} left as it is (the agent never writes without one)`,
      false,
    );
  }
  const oid = pethAdminEnableOid(group, index);
  const want = on ? TRUTH_TRUE : TRUTH_FALSE;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_OP_TIMEOUT_MS;
  await withSnmpSession(switchDevice, { timeoutMs, signal: opts.signal, write: true }, async (s) => {
    await s.setInteger(oid, want);
    const got = (await s.get([oid])).get(oid);
    if (got !== want) {
      throw new SnmpError(
        'snmp-verify-failed',
        `${s.target}: PoE port ${group}.${index} reads ${describeTruth(got)} after setting it ${on ? 'on' : 'off'}`,
        true,
      );
    }
  });
}

/**
 * Power-cycles the port that powers a camera: off, wait `offMs`, on. An abort during the off period cuts the
 * wait short but still switches the port back on (a camera left unpowered is worse than a late result). The
 * "on" step is tried up to 3 times — also after a failed "off" step whose SET may have been applied (answer or
 * read-back lost) — and when it still fails the error (code `poe-left-off`) says the port may be off.
 */
export async function powerCyclePoePort(switchDevice: AgentDevice, poe: PoeSettings, offMs: number, opts: PoeOpOptions = {}): Promise<PowerCycleResult> {
  const group = poe.group ?? DEFAULT_GROUP;
  if (!Number.isFinite(offMs) || offMs < 0 || offMs > MAX_OFF_MS) {
    throw new SnmpError('snmp-config', `power-cycle off time must be 0 to ${MAX_OFF_MS} ms`, false);
  }
  try {
    await setPoePort(switchDevice, poe, false, opts);
  } catch (err) {
    if (err instanceof SnmpError && NOT_APPLIED.has(err.code)) throw err;
    await switchBackOn(switchDevice, poe, opts);
    throw err;
  }
  const offAt = new Date().toISOString();
  await sleep(offMs, opts.signal);
  await switchBackOn(switchDevice, poe, opts);
  return { group, port: poe.port, offAt, onAt: new Date().toISOString() };
}

/** Failures after which the port certainly kept its state: nothing sent, or the switch refused the SET. */
const NOT_APPLIED: ReadonlySet<string> = new Set(['snmp-no-write-community', 'snmp-config', 'snmp-refused']);

/** Switches the port on (not abortable: it must happen), retrying; throws `poe-left-off` when it cannot. */
async function switchBackOn(switchDevice: AgentDevice, poe: PoeSettings, opts: PoeOpOptions): Promise<void> {
  let last: unknown;
  for (let attempt = 1; attempt <= ON_ATTEMPTS; attempt++) {
    try {
      return await setPoePort(switchDevice, poe, true, { timeoutMs: opts.timeoutMs });
    } catch (err) {
      last = err;
      if (attempt < ON_ATTEMPTS) await sleep(500);
    }
  }
  const reason = last instanceof Error ? last.message : 'unknown error';
  throw new SnmpError(
    'poe-left-off',
    `PoE port ${poe.group ?? DEFAULT_GROUP}.${poe.port} on ${switchDevice.id} may be OFF: switching it back on failed (${reason})`,
    false,
  );
}

function describeTruth(v: unknown): string {
  if (v === TRUTH_TRUE) return 'on';
  if (v === TRUTH_FALSE) return 'off';
  return v === undefined ? 'nothing' : `value ${String(v)}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
