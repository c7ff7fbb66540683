// LTE outdoor router MIB: IF-MIB ifTable (RFC 2863) with the LAN port and the cellular WAN, and radio quality
// under the camfleet reference subtree 1.3.6.1.4.1.32473.1.1 (enterprise 32473 is reserved for documentation,
// RFC 5612) — the default profile of agent/src/probes/snmp/oids.ts. Real routers publish these values in their
// maker's private MIB; the probe maps a model to its OIDs.
import snmp from 'net-snmp';

export interface LteState {
  /** dBm */
  rsrp: number;
  /** dB (served in tenths) */
  rsrq: number;
  /** dB (served in tenths) */
  sinr: number;
  wanUp: boolean;
}

export const LTE_OIDS = {
  ifEntry: '1.3.6.1.2.1.2.2.1',
  rsrp: '1.3.6.1.4.1.32473.1.1.1',
  rsrq: '1.3.6.1.4.1.32473.1.1.2',
  sinr: '1.3.6.1.4.1.32473.1.1.3',
} as const;
export const LAN_IF_INDEX = 1;
export const WAN_IF_INDEX = 2;
const IF_OPER_STATUS_COLUMN = 8;
const IF_UP = 1;
const IF_DOWN = 2;

/** A good urban signal: RSRP −85 dBm, RSRQ −9.5 dB, SINR 15.5 dB, WAN up. */
export const DEFAULT_LTE_STATE: LteState = { rsrp: -85, rsrq: -9.5, sinr: 15.5, wanUp: true };

export function buildLteRouter(mib: snmp.Mib, initial: Partial<LteState> = {}): { set(patch: Partial<LteState>): void } {
  const readOnly = snmp.MaxAccess['read-only'];
  const Integer = snmp.ObjectType.Integer;
  mib.registerProvider({
    name: 'ifTable',
    type: snmp.MibProviderType.Table,
    oid: LTE_OIDS.ifEntry,
    maxAccess: snmp.MaxAccess['not-accessible'],
    tableColumns: [
      { number: 1, name: 'ifIndex', type: Integer, maxAccess: readOnly },
      { number: 2, name: 'ifDescr', type: snmp.ObjectType.OctetString, maxAccess: readOnly },
      { number: IF_OPER_STATUS_COLUMN, name: 'ifOperStatus', type: Integer, maxAccess: readOnly },
    ],
    tableIndex: [{ columnName: 'ifIndex' }],
  });
  for (const name of ['rsrp', 'rsrq', 'sinr'] as const) {
    mib.registerProvider({ name, type: snmp.MibProviderType.Scalar, oid: LTE_OIDS[name], scalarType: snmp.ObjectType.Integer32, maxAccess: readOnly });
  }
  const state: LteState = { ...DEFAULT_LTE_STATE, ...initial };
  mib.addTableRow('ifTable', [LAN_IF_INDEX, 'eth0', IF_UP]);
  mib.addTableRow('ifTable', [WAN_IF_INDEX, 'wwan0', state.wanUp ? IF_UP : IF_DOWN]);
  const apply = () => {
    mib.setScalarValue('rsrp', Math.round(state.rsrp));
    mib.setScalarValue('rsrq', Math.round(state.rsrq * 10));
    mib.setScalarValue('sinr', Math.round(state.sinr * 10));
    mib.setTableSingleCell('ifTable', IF_OPER_STATUS_COLUMN, [WAN_IF_INDEX], state.wanUp ? IF_UP : IF_DOWN);
  };
  apply();
  return {
    set(patch) {
      let changed = false;
      for (const key of ['rsrp', 'rsrq', 'sinr', 'wanUp'] as const) {
        if (patch[key] !== undefined) {
          (state as unknown as Record<string, unknown>)[key] = patch[key];
          changed = true;
        }
      }
      if (changed) apply();
    },
  };
}
