// What a reboot step does to a device: ONVIF SystemReboot (probes/onvif/actions.ts), or a PoE power cycle of
// the camera's port on its parent switch over SNMP (RFC 3621 pethPsePortAdminEnable, probes/snmp/poe.ts).
// The SNMP module is loaded lazily and its absence tolerated: without it the PoE step is skipped.
import type { AgentDevice, PoeSettings } from '../config/types.ts';
import { rebootCamera } from '../probes/onvif/actions.ts';

export interface RebootActions {
  onvifReboot(device: AgentDevice, signal: AbortSignal): Promise<string>;
  /** Undefined when this agent has no PoE support. */
  poeCycle(camera: AgentDevice, switchDevice: AgentDevice, offMs: number, signal: AbortSignal): Promise<string>;
  /** Drops whatever stream session a probe keeps for the device, so the next probe connects afresh. */
  reconnectStream(device: AgentDevice): Promise<void>;
  poeAvailable(): Promise<boolean>;
}

type PowerCycle = (switchDevice: AgentDevice, poe: PoeSettings, offMs: number, opts?: { signal?: AbortSignal; timeoutMs?: number }) => Promise<unknown>;

let powerCycle: Promise<PowerCycle | undefined> | undefined;

/** probes/snmp/poe.ts's powerCyclePoePort, or undefined when that module is not there (yet). */
export function loadPowerCycle(): Promise<PowerCycle | undefined> {
  const spec = '../probes/snmp/poe.ts'; // a variable: resolved at run time, so its absence is not a type error
  powerCycle ??= import(/* @vite-ignore */ spec).then(
    (m: Record<string, unknown>) => (typeof m.powerCyclePoePort === 'function' ? (m.powerCyclePoePort as PowerCycle) : undefined),
    () => undefined,
  );
  return powerCycle;
}

/** The switch that powers `camera`: its parent, when the camera names a PoE port and the switch may be written. */
export function poeSwitch(camera: AgentDevice, devices: ReadonlyMap<string, AgentDevice>): AgentDevice | undefined {
  const parent = camera.parent ? devices.get(camera.parent) : undefined;
  if (!camera.poe || !parent || parent.segment !== 'switch' || !parent.snmp?.writeCommunity || !parent.address) return undefined;
  return parent;
}

export function realActions(streamResetters: Array<(device: AgentDevice) => unknown> = []): RebootActions {
  return {
    async onvifReboot(device, signal) {
      const { message } = await rebootCamera(device, { signal });
      return message || 'SystemReboot accepted';
    },
    async poeCycle(camera, switchDevice, offMs, signal) {
      const cycle = await loadPowerCycle();
      if (!cycle || !camera.poe) throw new Error('PoE power cycling is not available in this agent');
      await cycle(switchDevice, camera.poe, offMs, { signal });
      return `PoE port ${camera.poe.group ?? 1}.${camera.poe.port} on ${switchDevice.id} switched off for ${offMs / 1000} s and on again`;
    },
    async reconnectStream(device) {
      for (const reset of streamResetters) await reset(device);
    },
    async poeAvailable() {
      return (await loadPowerCycle()) !== undefined;
    },
  };
}
