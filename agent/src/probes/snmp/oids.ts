// OIDs the SNMP probe reads and writes. Standard MIBs are fixed; LTE signal values live in vendor MIBs,
// so they come from a per-model profile (LTE_ROUTER_PROFILES) with a default one.

/** SNMPv2-MIB sysUpTime.0 (RFC 3418, as in RFC 1213 MIB-II): TimeTicks, 1/100 s since the agent (re)started. */
export const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
/** TimeTicks is an unsigned 32-bit counter of 1/100 s: sysUpTime wraps after about 497 days. */
export const TIMETICKS_WRAP_S = 2 ** 32 / 100;

/** IF-MIB ifOperStatus (RFC 2863), column 8 of ifTable, indexed by ifIndex. */
export const IF_OPER_STATUS = '1.3.6.1.2.1.2.2.1.8';
/** ifOperStatus up(1); anything else (down 2, testing 3, unknown 4, dormant 5, notPresent 6, lowerLayerDown 7) is not up. */
export const IF_OPER_UP = 1;

/** POWER-ETHERNET-MIB (RFC 3621) pethPsePortTable; rows are indexed by pethPsePortGroupIndex.pethPsePortIndex. */
export const PETH_PSE_PORT_TABLE = '1.3.6.1.2.1.105.1.1';
/** pethPsePortAdminEnable: TruthValue, read-write — true(1) enables power on the port, false(2) disables it. */
export const PETH_ADMIN_ENABLE_COLUMN = 3;
/** pethPsePortDetectionStatus: disabled(1) searching(2) deliveringPower(3) fault(4) test(5) otherFault(6). */
export const PETH_DETECTION_STATUS_COLUMN = 6;
export const TRUTH_TRUE = 1;
export const TRUTH_FALSE = 2;
export const DETECTION = { disabled: 1, searching: 2, deliveringPower: 3, fault: 4, test: 5, otherFault: 6 } as const;

export function pethAdminEnableOid(group: number, port: number): string {
  return `${PETH_PSE_PORT_TABLE}.1.${PETH_ADMIN_ENABLE_COLUMN}.${group}.${port}`;
}

/** One vendor value: its OID, and the divisor that turns the raw integer into the unit (10 = tenths). */
export interface ScaledOid {
  oid: string;
  scale?: number;
}

/** Where an LTE router model publishes WAN state and radio quality. */
export interface LteRouterProfile {
  /** IF-MIB ifIndex of the WAN (cellular) interface. */
  wanIfIndex: number;
  /** Reference Signal Received Power, dBm. */
  rsrp: ScaledOid;
  /** Reference Signal Received Quality, dB. */
  rsrq: ScaledOid;
  /** Signal to Interference plus Noise Ratio, dB. */
  sinr: ScaledOid;
}

/**
 * The camfleet reference profile, served by the simulator (test/sim/snmp). It sits under enterprise number
 * 32473, which IANA reserves for documentation (RFC 5612), so it can never collide with a real vendor:
 *   1.3.6.1.4.1.32473.1.1.1.0  lteRsrp  Integer32, dBm
 *   1.3.6.1.4.1.32473.1.1.2.0  lteRsrq  Integer32, tenths of a dB
 *   1.3.6.1.4.1.32473.1.1.3.0  lteSinr  Integer32, tenths of a dB
 * WAN = ifIndex 2 (the cellular interface; ifIndex 1 is the LAN port).
 */
export const DEFAULT_LTE_ROUTER_PROFILE: LteRouterProfile = {
  wanIfIndex: 2,
  rsrp: { oid: '1.3.6.1.4.1.32473.1.1.1.0' },
  rsrq: { oid: '1.3.6.1.4.1.32473.1.1.2.0', scale: 10 },
  sinr: { oid: '1.3.6.1.4.1.32473.1.1.3.0', scale: 10 },
};

/**
 * Profiles by device `model` (compared case-insensitively, ignoring spaces and hyphens). Real routers such as
 * the SCR1800v4 publish signal values in their maker's private MIB: add the model here with the OIDs from that
 * MIB file. A model without an entry is read with the default profile; when the device lacks those OIDs the
 * probe says so (error `lte-oids-unsupported`) instead of reporting a weak signal.
 */
export const LTE_ROUTER_PROFILES: Record<string, LteRouterProfile> = {
  'camfleet-sim': DEFAULT_LTE_ROUTER_PROFILE,
};

export function lteProfileFor(model: string | undefined): { name: string; profile: LteRouterProfile } {
  const key = normaliseModel(model ?? '');
  for (const [name, profile] of Object.entries(LTE_ROUTER_PROFILES)) {
    if (normaliseModel(name) === key) return { name, profile };
  }
  return { name: 'default', profile: DEFAULT_LTE_ROUTER_PROFILE };
}

function normaliseModel(model: string): string {
  return model.toLowerCase().replace(/[\s-]+/g, '');
}
