// A simulated fixed-line site: gateway → switch → cameras, switch → router → ONU, each device a real
// loopback peer (ONVIF SOAP for cameras, TCP for the rest). Used by the demo and end-to-end tests.
import { startOnvifCamera, type OnvifCameraHandle } from './onvif/index.ts';
import { startTcpDevice, type TcpDeviceHandle } from './tcp-device.ts';

export interface SimSite {
  id: string;
  cameras: Map<string, OnvifCameraHandle>;
  devices: Map<string, TcpDeviceHandle>;
  /** The site config YAML an agent needs to poll this site. */
  yaml(opts: { mqttUrl: string; stateDir: string; intervalS?: number; timeoutS?: number; keepaliveS?: number; extra?: string }): string;
  close(): Promise<void>;
}

export const SIM_CAMERA_USER = 'camfleet';

export async function startSimSite(opts: { id: string; cameras?: number; cameraPassword?: string; region?: 'east' | 'west'; rebootDownS?: number }): Promise<SimSite> {
  const password = opts.cameraPassword ?? 'sim-camera-secret';
  const devices = new Map<string, TcpDeviceHandle>();
  for (const id of ['gw', 'sw', 'rt', 'onu']) devices.set(id, await startTcpDevice());
  const cameras = new Map<string, OnvifCameraHandle>();
  const count = opts.cameras ?? 3;
  for (let i = 1; i <= count; i++) {
    cameras.set(`cam${i}`, await startOnvifCamera({
      username: SIM_CAMERA_USER,
      password,
      rebootDownS: opts.rebootDownS ?? 20,
      info: { manufacturer: 'AXIS', model: i % 2 ? 'M3085-V' : 'P3265-LVE', serialNumber: `ACCC8E${String(100000 + i)}` },
    }));
  }
  const tcp = (id: string) => `    address: 127.0.0.1\n    reachability: { method: tcp, port: ${devices.get(id)!.port} }`;
  return {
    id: opts.id,
    cameras,
    devices,
    yaml: (y) => [
      `site:`,
      `  id: ${opts.id}`,
      `  name: Demo shop ${opts.id}`,
      `  region: ${opts.region ?? 'east'}`,
      `  contractId: DEM0000001`,
      `mqtt:`,
      `  url: ${y.mqttUrl}`,
      `  keepaliveS: ${y.keepaliveS ?? 10}`,
      `poll:`,
      `  intervalS: ${y.intervalS ?? 5}`,
      `  timeoutS: ${y.timeoutS ?? 2}`,
      `stateDir: ${y.stateDir}`,
      ...(y.extra ? [y.extra.trimEnd()] : []), // further top-level blocks (outbox:, reboot:, …)
      `devices:`,
      `  - id: gw\n    segment: gateway\n    name: Camera gateway\n    vendor: TEK\n    model: TEK3-IMX6\n    serial: G0001\n    shipDate: 2025-11-01\n${tcp('gw')}`,
      `  - id: sw\n    segment: switch\n    parent: gw\n    name: PoE switch\n    vendor: NETGEAR\n    model: GS308P\n${tcp('sw')}`,
      `  - id: rt\n    segment: router\n    parent: sw\n    name: Shop router\n    vendor: Yamaha\n    model: RTX830\n${tcp('rt')}`,
      `  - id: onu\n    segment: onu\n    parent: rt\n    name: ONU\n    vendor: NTT\n${tcp('onu')}`,
      ...[...cameras].map(([id, cam], i) =>
        `  - id: ${id}\n    segment: camera\n    parent: sw\n    name: Camera ${i + 1}\n    vendor: AXIS\n    model: M3085-V\n    serial: ACCC8E${100001 + i}\n` +
        `    purchaseDate: 2024-04-10\n    shipDate: 2024-04-01\n    mountHeightM: 2.8\n    address: 127.0.0.1\n` +
        `    reachability: { method: tcp, port: ${cam.port} }\n    onvif: { port: ${cam.port}, username: ${SIM_CAMERA_USER}, password: ${password} }`),
      '',
    ].join('\n'),
    async close() {
      await Promise.all([...cameras.values()].map((c) => c.close()));
      await Promise.all([...devices.values()].map((d) => d.stop()));
    },
  };
}
