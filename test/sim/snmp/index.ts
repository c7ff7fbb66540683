// SNMP device simulator (LTE outdoor router, PoE switch) for tests and the demo. See README.md for the OIDs.
export { SIM_HOST, startSnmpDevice } from './device.ts';
export type { LteState, PoePortSpec, PoePortState, PortPowerEvent, SnmpDeviceHandle, SnmpDeviceOptions, SnmpDevicePatch } from './device.ts';
export { DEFAULT_LTE_STATE, LAN_IF_INDEX, LTE_OIDS, WAN_IF_INDEX } from './lte-router.ts';
export { DETECTION, PETH_PSE_PORT_ENTRY } from './poe-switch.ts';
