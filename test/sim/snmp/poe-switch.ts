// PoE switch MIB: POWER-ETHERNET-MIB (RFC 3621) pethPsePortTable, indexed by group.port, with
// pethPsePortAdminEnable (read-write TruthValue) and pethPsePortDetectionStatus (read-only). A SET of
// AdminEnable really switches the port: detection status follows, and the test's hook hears about power changes.
import snmp from 'net-snmp';

export interface PoePortSpec {
  port: number;
  /** pethPsePortGroupIndex (default 1). */
  group?: number;
  /** A powered device (camera) is plugged in (default true). */
  attached?: boolean;
  /** The port reports fault(4) instead of delivering power. */
  fault?: boolean;
  /** pethPsePortAdminEnable (default true). */
  enabled?: boolean;
}

export interface PoePortState {
  group: number;
  port: number;
  attached: boolean;
  fault: boolean;
  enabled: boolean;
}

export interface PortPowerEvent {
  group: number;
  port: number;
  /** The port now delivers power (true) or stopped (false). */
  on: boolean;
}

export const PETH_PSE_PORT_ENTRY = '1.3.6.1.2.1.105.1.1.1';
const ADMIN_ENABLE = 3;
const DETECTION_STATUS = 6;
const TRUTH = { true: 1, false: 2 } as const;
/** pethPsePortDetectionStatus values (RFC 3621). */
export const DETECTION = { disabled: 1, searching: 2, deliveringPower: 3, fault: 4 } as const;

function detection(p: PoePortState): number {
  if (!p.enabled) return DETECTION.disabled;
  if (p.fault) return DETECTION.fault;
  return p.attached ? DETECTION.deliveringPower : DETECTION.searching;
}

export function buildPoeSwitch(
  mib: snmp.Mib,
  spec: number | PoePortSpec[],
  onPortPower?: (event: PortPowerEvent) => void | Promise<void>,
): { setPort(patch: { port: number; group?: number } & Partial<PoePortState>): void; state(port: number, group: number): PoePortState | undefined } {
  const Integer = snmp.ObjectType.Integer;
  const notAccessible = snmp.MaxAccess['not-accessible'];
  const ports = new Map<string, PoePortState>();
  const specs: PoePortSpec[] = typeof spec === 'number' ? Array.from({ length: spec }, (_, i) => ({ port: i + 1 })) : spec;
  for (const s of specs) {
    const p: PoePortState = { group: s.group ?? 1, port: s.port, attached: s.attached ?? true, fault: s.fault ?? false, enabled: s.enabled ?? true };
    ports.set(`${p.group}.${p.port}`, p);
  }

  /** Re-derives detection status; tells the hook when power delivery changed. */
  const update = (p: PoePortState, before: number) => {
    const now = detection(p);
    mib.setTableSingleCell('pethPsePortTable', DETECTION_STATUS, [p.group, p.port], now);
    const wasOn = before === DETECTION.deliveringPower;
    const isOn = now === DETECTION.deliveringPower;
    if (wasOn !== isOn && onPortPower) {
      // A real switch cuts power at once and answers the SET; the hook runs beside the SNMP reply.
      Promise.resolve()
        .then(() => onPortPower({ group: p.group, port: p.port, on: isOn }))
        .catch(() => {});
    }
  };

  mib.registerProvider({
    name: 'pethPsePortTable',
    type: snmp.MibProviderType.Table,
    oid: PETH_PSE_PORT_ENTRY,
    maxAccess: notAccessible,
    tableColumns: [
      { number: 1, name: 'pethPsePortGroupIndex', type: Integer, maxAccess: notAccessible },
      { number: 2, name: 'pethPsePortIndex', type: Integer, maxAccess: notAccessible },
      {
        number: ADMIN_ENABLE,
        name: 'pethPsePortAdminEnable',
        type: Integer,
        maxAccess: snmp.MaxAccess['read-write'],
        constraints: { enumeration: { '1': 'true', '2': 'false' } },
      },
      {
        number: DETECTION_STATUS,
        name: 'pethPsePortDetectionStatus',
        type: Integer,
        maxAccess: snmp.MaxAccess['read-only'],
        constraints: { enumeration: { '1': 'disabled', '2': 'searching', '3': 'deliveringPower', '4': 'fault', '5': 'test', '6': 'otherFault' } },
      },
    ],
    tableIndex: [{ columnName: 'pethPsePortGroupIndex' }, { columnName: 'pethPsePortIndex' }],
    handler: (req) => {
      // The SET handler runs twice: a test pass, then the commit pass, after whose done() the value is stored.
      if (req.operation !== snmp.PduType.SetRequest || !req.commitSet) return req.done();
      const [group, port] = req.oid.split('.').slice(-2).map(Number);
      const p = ports.get(`${group}.${port}`);
      const before = p ? detection(p) : 0;
      req.done();
      if (p && req.oid.startsWith(`${PETH_PSE_PORT_ENTRY}.${ADMIN_ENABLE}.`)) {
        p.enabled = req.instanceNode.value === TRUTH.true;
        update(p, before);
      }
    },
  });
  for (const p of ports.values()) mib.addTableRow('pethPsePortTable', [p.group, p.port, p.enabled ? TRUTH.true : TRUTH.false, detection(p)]);

  return {
    setPort(patch) {
      const p = ports.get(`${patch.group ?? 1}.${patch.port}`);
      if (!p) throw new Error(`SNMP simulator: no PoE port ${patch.group ?? 1}.${patch.port}`);
      const before = detection(p);
      if (patch.attached !== undefined) p.attached = patch.attached;
      if (patch.fault !== undefined) p.fault = patch.fault;
      if (patch.enabled !== undefined) {
        p.enabled = patch.enabled;
        mib.setTableSingleCell('pethPsePortTable', ADMIN_ENABLE, [p.group, p.port], p.enabled ? TRUTH.true : TRUTH.false);
      }
      update(p, before);
    },
    state: (port, group) => {
      const p = ports.get(`${group}.${port}`);
      return p && { ...p };
    },
  };
}
