// A simulated site for the agent benchmark, in its own process (its CPU is not the agent's): N ONVIF
// cameras (test/sim/onvif) behind S switches (TCP listeners). Prints one JSON line with the ports, then
// runs until stdin closes or SIGTERM.
import { startOnvifCamera, type OnvifCameraHandle } from '../../sim/onvif/index.ts';
import { startTcpDevice, type TcpDeviceHandle } from '../../sim/tcp-device.ts';
import { BENCH_PASS, BENCH_USER } from './credentials.ts';

const cameras = Number(process.argv[2] ?? 500);
const switches = Number(process.argv[3] ?? 10);
const cams: OnvifCameraHandle[] = [];
const sws: TcpDeviceHandle[] = [];
for (let i = 0; i < switches; i++) sws.push(await startTcpDevice());
for (let i = 0; i < cameras; i++) cams.push(await startOnvifCamera({ username: BENCH_USER, password: BENCH_PASS }));
process.stdout.write(`${JSON.stringify({ cameras: cams.map((c) => c.port), switches: sws.map((s) => s.port) })}\n`);

const stop = async () => {
  await Promise.all([...cams.map((c) => c.close()), ...sws.map((s) => s.stop())]);
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
