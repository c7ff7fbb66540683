// Reachability: a short burst of ICMP echo through the system ping (the agent's unit grants CAP_NET_RAW),
// or TCP connects to a port — for devices that drop ICMP, and where ICMP is not permitted (the sample then
// says `tcpFallback: 1`, so nobody mistakes it for a ping). Latency is the median, loss the share lost.
import { execFile } from 'node:child_process';
import net from 'node:net';
import type { Probe, ProbeContext, ProbeResult } from '../types.ts';

const DEFAULT_COUNT = 3;


function tcpOnce(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<number | null> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect({ host, port });
    const done = (ms: number | null) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(ms);
    };
    const onAbort = () => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    signal.addEventListener('abort', onAbort);
    socket.once('connect', () => done(performance.now() - started));
    socket.once('error', () => done(null));
  });
}

async function tcpBurst(host: string, port: number, count: number, timeoutMs: number, signal: AbortSignal): Promise<(number | null)[]> {
  const each = Math.max(200, Math.floor(timeoutMs / count));
  const out: (number | null)[] = [];
  for (let i = 0; i < count && !signal.aborted; i++) out.push(await tcpOnce(host, port, each, signal));
  return out;
}

/** Runs ping; null when ICMP is not permitted here (no ping binary, or no raw-socket capability). */
function pingBurst(host: string, count: number, timeoutMs: number, signal: AbortSignal): Promise<(number | null)[] | null> {
  const waitS = Math.max(1, Math.floor(timeoutMs / 1000));
  const args = ['-n', '-q', '-c', String(count), '-i', '0.2', '-W', String(waitS), '-w', String(waitS + 1), host];
  return new Promise((resolve) => {
    execFile('ping', args, { signal, timeout: timeoutMs + 2000 }, (err, stdout, stderr) => {
      const text = `${stdout}${stderr}`;
      if (/Operation not permitted|permission denied|ENOENT|command not found/i.test(text) || (err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        return resolve(null);
      }
      const stats = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text);
      const rtt = /= [\d.]+\/([\d.]+)\//.exec(text);
      if (!stats) return resolve(null);
      const sent = Number(stats[1]);
      const got = Number(stats[2]);
      const avg = rtt ? Number(rtt[1]) : null;
      resolve(Array.from({ length: sent }, (_, i) => (i < got ? avg : null)));
    });
  });
}

function summarise(results: (number | null)[], method: 'icmp' | 'tcp', fallback: boolean): ProbeResult {
  const ok = results.filter((r): r is number => r !== null).sort((a, b) => a - b);
  const lossPct = results.length ? Math.round(((results.length - ok.length) / results.length) * 100) : 100;
  const metrics: Record<string, number> = { lossPct, icmp: method === 'icmp' ? 1 : 0 };
  if (fallback) metrics.tcpFallback = 1;
  if (ok.length) metrics.latencyMs = Math.round(ok[Math.floor(ok.length / 2)]! * 100) / 100;
  if (ok.length === 0) {
    return { reachable: false, conditions: ['unreachable'], metrics, error: { code: 'no-answer', message: `no ${method === 'icmp' ? 'ICMP echo reply' : 'TCP connection'} in ${results.length} tries` } };
  }
  return { reachable: true, conditions: [], metrics };
}

export const reachabilityProbe: Probe = {
  appliesTo: (device) => Boolean(device.address),
  async run(ctx: ProbeContext): Promise<ProbeResult> {
    const host = ctx.device.address!;
    const s = ctx.device.reachability ?? {};
    const count = s.count ?? DEFAULT_COUNT;
    const port = s.port ?? ctx.device.onvif?.port ?? 80;
    if (s.method === 'tcp') return summarise(await tcpBurst(host, port, count, ctx.timeoutMs, ctx.signal), 'tcp', false);
    const icmp = await pingBurst(host, count, ctx.timeoutMs, ctx.signal);
    if (icmp) return summarise(icmp, 'icmp', false);
    return summarise(await tcpBurst(host, port, count, ctx.timeoutMs, ctx.signal), 'tcp', true);
  },
};
