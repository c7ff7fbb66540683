// A simulated SNMP v1/v2c device on a loopback UDP port: net-snmp's Agent with a MIB built for an LTE outdoor
// router or a PoE switch (see README.md beside this file for the OIDs). The MIB outlives stop()/start(), like
// a device whose management plane goes away and comes back; uptime is reset only through set({ uptimeS }).
import snmp from 'net-snmp';
import { buildLteRouter, type LteState } from './lte-router.ts';
import { buildPoeSwitch, type PoePortSpec, type PoePortState, type PortPowerEvent } from './poe-switch.ts';
import { gatedTransport } from './transport.ts';

export type { LteState } from './lte-router.ts';
export type { PoePortSpec, PoePortState, PortPowerEvent } from './poe-switch.ts';

export interface SnmpDeviceOptions {
  kind: 'lte-router' | 'poe-switch';
  /** UDP port on 127.0.0.1; 0 or absent = a free one. */
  port?: number;
  /** Read-only community. Requests with any other community get no answer (RFC 1901/3584 behaviour). */
  community: string;
  /** Read-write community (SET); absent = the device accepts no SET at all. */
  writeCommunity?: string;
  /** PoE switch: number of ports in group 1 (default 8, all with a powered device attached), or each port. */
  ports?: number | PoePortSpec[];
  /** PoE switch: called when a port starts or stops delivering power, e.g. to stop or start a simulated camera. */
  onPortPower?: (event: PortPowerEvent) => void | Promise<void>;
  /** LTE router: initial radio and WAN state. */
  lte?: Partial<LteState>;
  /** Initial sysUpTime, seconds (default 3600). */
  uptimeS?: number;
}

export interface SnmpDevicePatch extends Partial<LteState> {
  /** Sets sysUpTime to this many seconds from now on; a value below the current one is a reboot. */
  uptimeS?: number;
  /** Drop every request (the device stays up but says nothing). */
  drop?: boolean;
  /** Answer each request this many ms late. */
  slowMs?: number;
  /** PoE switch: change one port (attach / detach the powered device, raise a fault, set admin state). */
  port?: { port: number; group?: number } & Partial<Omit<PoePortState, 'port' | 'group'>>;
}

export interface SnmpDeviceHandle {
  readonly host: string;
  readonly port: number;
  readonly kind: SnmpDeviceOptions['kind'];
  readonly up: boolean;
  /** Requests received (including dropped ones and ones with an unknown community), dropped, unknown community. */
  readonly stats: { received: number; dropped: number; unknownCommunity: number };
  set(patch: SnmpDevicePatch): void;
  /** PoE switch: a port's current state. */
  portState(port: number, group?: number): PoePortState | undefined;
  /** Takes the agent off the network (the port stops answering). */
  stop(): Promise<void>;
  /** Brings it back on the same port with the same MIB. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export const SIM_HOST = '127.0.0.1';

export async function startSnmpDevice(opts: SnmpDeviceOptions): Promise<SnmpDeviceHandle> {
  const transport = gatedTransport(opts.port ?? 0);
  const stats = { unknownCommunity: 0 };
  const mib = snmp.createMib();
  let uptimeBase = performance.now() - (opts.uptimeS ?? 3600) * 1000;
  const uptimeTicks = () => Math.floor((performance.now() - uptimeBase) / 10) % 2 ** 32;
  registerSystemGroup(mib, opts.kind, uptimeTicks);
  const lte = opts.kind === 'lte-router' ? buildLteRouter(mib, opts.lte) : undefined;
  const poe = opts.kind === 'poe-switch' ? buildPoeSwitch(mib, opts.ports ?? 8, opts.onPortPower) : undefined;

  let agent: snmp.Agent | undefined;
  const listen = async () => {
    const a = snmp.createAgent(
      { port: transport.port, address: SIM_HOST, accessControlModelType: snmp.AccessControlModelType.Simple, dgramModule: transport.module },
      (error) => {
        // net-snmp reports a request with a community it does not know here, and then drops it.
        if (error?.message.startsWith('Local community not found')) stats.unknownCommunity++;
      },
      mib,
    );
    const auth = a.getAuthorizer();
    auth.addCommunity(opts.community);
    auth.getAccessControlModel().setCommunityAccess(opts.community, snmp.AccessLevel.ReadOnly);
    if (opts.writeCommunity) {
      auth.addCommunity(opts.writeCommunity);
      auth.getAccessControlModel().setCommunityAccess(opts.writeCommunity, snmp.AccessLevel.ReadWrite);
    }
    await transport.listening().catch((err: unknown) => {
      a.close();
      throw err;
    });
    agent = a;
  };
  const stop = async () => {
    const a = agent;
    agent = undefined;
    transport.cancelPending();
    if (a) await new Promise<void>((resolve) => a.close(() => resolve()));
  };
  await listen();

  return {
    host: SIM_HOST,
    get port() {
      return transport.port;
    },
    kind: opts.kind,
    get up() {
      return agent !== undefined;
    },
    get stats() {
      return { ...transport.stats, ...stats };
    },
    set(patch) {
      if (patch.uptimeS !== undefined) uptimeBase = performance.now() - patch.uptimeS * 1000;
      if (patch.drop !== undefined) transport.faults.drop = patch.drop;
      if (patch.slowMs !== undefined) transport.faults.slowMs = patch.slowMs;
      lte?.set(patch);
      if (patch.port) {
        if (!poe) throw new Error('SNMP simulator: port changes need kind poe-switch');
        poe.setPort(patch.port);
      }
    },
    portState: (port, group = 1) => poe?.state(port, group),
    stop,
    async start() {
      if (!agent) await listen();
    },
    close: stop,
  };
}

/** SNMPv2-MIB system group (RFC 3418): sysDescr, sysUpTime (computed on each read), sysName. */
function registerSystemGroup(mib: snmp.Mib, kind: SnmpDeviceOptions['kind'], uptimeTicks: () => number): void {
  const readOnly = snmp.MaxAccess['read-only'];
  mib.registerProvider({ name: 'sysDescr', type: snmp.MibProviderType.Scalar, oid: '1.3.6.1.2.1.1.1', scalarType: snmp.ObjectType.OctetString, maxAccess: readOnly });
  mib.registerProvider({
    name: 'sysUpTime',
    type: snmp.MibProviderType.Scalar,
    oid: '1.3.6.1.2.1.1.3',
    scalarType: snmp.ObjectType.TimeTicks,
    maxAccess: readOnly,
    handler: (req) => {
      req.instanceNode.value = uptimeTicks();
      req.done();
    },
  });
  mib.registerProvider({ name: 'sysName', type: snmp.MibProviderType.Scalar, oid: '1.3.6.1.2.1.1.5', scalarType: snmp.ObjectType.OctetString, maxAccess: readOnly });
  mib.setScalarValue('sysDescr', kind === 'lte-router' ? 'camfleet simulated LTE outdoor router' : 'camfleet simulated PoE switch');
  mib.setScalarValue('sysUpTime', uptimeTicks());
  mib.setScalarValue('sysName', `sim-${kind}`);
}
