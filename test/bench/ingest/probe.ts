// The benchmark's socket.io client, in its own process so the load generator cannot delay it: joins the
// fleet room, and for every 10th pushed device records now − its sample time. Prints a JSON summary when
// its parent sends "stop" (IPC).
import { io as ioClient } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@camfleet/shared';
import type { Socket } from 'socket.io-client';
import { socketAuth } from '../../support/auth.ts';

const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(process.argv[2]!, { transports: ['websocket'], ...socketAuth() });
const delays: number[] = [];
let updates = 0;
let collecting = false;
socket.on('fleet:snapshot', () => process.send?.({ ready: true }));
socket.on('devices:update', (list) => {
  const now = Date.now();
  if (!collecting) return;
  updates += list.length;
  for (let i = 0; i < list.length; i += 10) {
    const at = list[i]!.lastSample;
    if (at) delays.push(now - Date.parse(at));
  }
});
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'start') collecting = true;
  if (m.cmd === 'stop') {
    delays.sort((a, b) => a - b);
    const p = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? NaN;
    process.send?.({ p50: p(0.5), p99: p(0.99), sampled: delays.length, updates }, () => {
      socket.close();
      process.exit(0);
    });
  }
});
