// What the soak samples from the running server: its resident memory (from /proc — the server runs as one node
// process, so that is all of it) and its own /metrics (event-loop delay p99 over its 10 s window, samples written,
// samples buffered), plus a socket.io client in the fleet room so the push path is exercised and counted too.
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { authHeaders, socketAuth } from '../../support/auth.ts';

/** Resident set size of a process in MB (VmRSS), NaN once it has exited. */
export function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Every unlabelled-or-summed value of the server's /metrics, by name. */
export async function scrapeAll(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { headers: authHeaders() })).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9_]+)(\{[^}]*\})? ([0-9.e+-]+|NaN)$/.exec(line);
    if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[3]));
  }
  return out;
}

export interface PushCounter {
  /** Device updates pushed to this client so far. */
  updates(): number;
  close(): void;
}

/** A dashboard-like socket.io client (websocket, fleet room by default) that counts device updates. */
export async function pushCounter(url: string): Promise<PushCounter> {
  const socket: Socket = io(url, { transports: ['websocket'], ...socketAuth() });
  let updates = 0;
  socket.on('devices:update', (list: unknown[]) => (updates += list.length));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket.io: no fleet snapshot within 30 s')), 30_000);
    socket.once('fleet:snapshot', () => (clearTimeout(timer), resolve()));
    socket.once('connect_error', (err) => (clearTimeout(timer), reject(err)));
  });
  return { updates: () => updates, close: () => void socket.close() };
}
