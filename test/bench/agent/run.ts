// Agent benchmark (issue 3 §3, BENCHMARKS.md): one agent process polling a simulated site of N ONVIF cameras
// (reachability + ONVIF every cycle) and publishing to a real Mosquitto, against the same probes run bare in a
// loop in the same run. Prints cycle time, CPU seconds per cycle and peak RSS for both, and the ratios.
//
//   npx tsx test/bench/agent/run.ts [--devices 500] [--cycles 5] [--interval 30] [--reach icmp|tcp] [--concurrency 64]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import type { TelemetryBatch } from '@camfleet/shared';
import type { AgentDevice } from '../../../agent/src/config/types.ts';
import { startMosquitto } from '../../harness/index.ts';
import { REPO, startAgent, tempDir } from '../../support/processes.ts';
import { BENCH_PASS, BENCH_USER } from './credentials.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] ?? def : def;
};
const N = Number(arg('devices', '500'));
const CYCLES = Number(arg('cycles', '5'));
const INTERVAL_S = Number(arg('interval', '30'));
const REACH = arg('reach', 'icmp') as 'icmp' | 'tcp';
const CONCURRENCY = Number(arg('concurrency', '64'));
const SWITCHES = 10;
const TSX = path.join(REPO, 'node_modules/.bin/tsx');
const CLK_TCK = 100; // Linux USER_HZ
// The agent runs with the Node flags its systemd unit sets (and so does the bare loop, for a fair ceiling).
const UNIT = readFileSync(path.join(REPO, 'agent/install/camfleet-agent.service.in'), 'utf8');
const NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? /^Environment=NODE_OPTIONS=(.*)$/m.exec(UNIT)?.[1] ?? '';
process.env.NODE_OPTIONS = NODE_OPTIONS;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
}
const statusMB = (pid: number, field: 'VmHWM' | 'VmRSS') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const peakRssMB = (pid: number) => statusMB(pid, 'VmHWM');
const lines = (child: ChildProcess) => createInterface({ input: child.stdout! });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const r2 = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const dir = tempDir('bench-agent');
  const broker = await startMosquitto();
  const fleet = spawn(TSX, [path.join(import.meta.dirname, 'sim-fleet.ts'), String(N), String(SWITCHES)], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
  const ports = await new Promise<{ cameras: number[]; switches: number[] }>((resolve) => lines(fleet).once('line', (l) => resolve(JSON.parse(l) as { cameras: number[]; switches: number[] })));

  const reach = (port: number) => (REACH === 'tcp' ? { method: 'tcp' as const, port } : { method: 'icmp' as const });
  const devices: AgentDevice[] = [
    ...ports.switches.map((port, i) => ({ id: `sw${i}`, segment: 'switch' as const, parent: 'gw', address: '127.0.0.1', reachability: { method: 'tcp' as const, port } })),
    ...ports.cameras.map((port, i) => ({ id: `cam${i}`, segment: 'camera' as const, parent: `sw${i % SWITCHES}`, address: '127.0.0.1', reachability: reach(port), onvif: { port, username: BENCH_USER, password: BENCH_PASS } })),
  ];

  // 1. The ceiling: the same probes, bare, in a loop.
  const devicesFile = path.join(dir, 'devices.json');
  writeFileSync(devicesFile, JSON.stringify(devices));
  const bare = spawn(TSX, [path.join(import.meta.dirname, 'bare.ts'), devicesFile, String(CYCLES), String(CONCURRENCY), '5000'], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const bareRuns: Array<{ ms: number; cpuS: number; failed: number }> = [];
  let bareRss = 0;
  for await (const l of lines(bare)) {
    const o = JSON.parse(l) as { ms: number; cpuS: number; failed: number; done?: boolean; maxRssMB?: number };
    if (o.done) bareRss = o.maxRssMB ?? 0;
    else bareRuns.push(o);
  }

  // 2. The agent: its own process, real MQTT, the full runtime.
  const config = path.join(dir, 'site.yaml');
  const yaml = {
    site: { id: 'bench-01' },
    agent: { device: 'gw' },
    mqtt: { url: broker.url },
    poll: { intervalS: INTERVAL_S, timeoutS: 5, jitterS: 0, concurrency: CONCURRENCY },
    stateDir: path.join(dir, 'state'),
    outbox: { replayDelayS: 0 },
    reboot: { enabled: false },
    devices: [{ id: 'gw', segment: 'gateway' }, ...devices],
  };
  writeFileSync(config, JSON.stringify(yaml, null, 1), { mode: 0o600 }); // JSON is YAML; it holds the cameras' passwords: owner-only
  const observer = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  await observer.subscribeAsync('camfleet/v1/bench-01/telemetry', { qos: 1 });
  const agent = startAgent(config, path.join(dir, 'agent.log'));
  const pid = agent.proc.child.pid!;
  const agentRuns: Array<{ ms: number; cpuS: number; unreachable: number; rssMB: number; peakMB: number }> = [];
  let lastCpu = cpuSeconds(pid);
  await new Promise<void>((resolve) => {
    observer.on('message', (_t, payload) => {
      const batch = JSON.parse(payload.toString()) as TelemetryBatch;
      const gw = batch.samples.find((s) => s.device === 'gw');
      if (!gw?.metrics) return;
      const cpu = cpuSeconds(pid);
      agentRuns.push({ ms: gw.metrics.cycleMs ?? NaN, cpuS: cpu - lastCpu, unreachable: batch.samples.filter((s) => !s.reachable).length, rssMB: r2(statusMB(pid, 'VmRSS')), peakMB: r2(peakRssMB(pid)) });
      lastCpu = cpu;
      process.stderr.write(`agent cycle ${agentRuns.length}: ${gw.metrics.cycleMs} ms\n`);
      if (agentRuns.length >= CYCLES) resolve();
    });
  });
  const agentRss = peakRssMB(pid);
  await agent.stop();
  await observer.endAsync();
  fleet.stdin!.end();
  await broker.dispose();

  // The first cycle includes start-up (TypeScript compile, first connections): reported apart.
  const steady = <T extends { ms: number; cpuS: number }>(runs: T[]) => runs.slice(1);
  const a = { ms: median(steady(agentRuns).map((r) => r.ms)), cpu: median(steady(agentRuns).map((r) => r.cpuS)) };
  const b = { ms: median(steady(bareRuns).map((r) => r.ms)), cpu: median(steady(bareRuns).map((r) => r.cpuS)) };
  const result = {
    nodeOptions: NODE_OPTIONS,
    command: `npx tsx test/bench/agent/run.ts --devices ${N} --cycles ${CYCLES} --interval ${INTERVAL_S} --reach ${REACH} --concurrency ${CONCURRENCY}`,
    devices: devices.length + 1,
    probesPerCycle: devices.length + N,
    agent: { cycleMsMedian: a.ms, cpuSPerCycleMedian: r2(a.cpu), peakRssMB: r2(agentRss), firstCycleMs: agentRuns[0]?.ms, unreachablePerCycle: agentRuns.map((r) => r.unreachable), rssMBAfterCycle: agentRuns.map((r) => r.rssMB), peakMBAfterCycle: agentRuns.map((r) => r.peakMB) },
    bare: { cycleMsMedian: b.ms, cpuSPerCycleMedian: r2(b.cpu), peakRssMB: r2(bareRss), firstCycleMs: bareRuns[0]?.ms, failedPerCycle: bareRuns.map((r) => r.failed) },
    ratio: { cycleTime: r2(a.ms / b.ms), cpu: r2(a.cpu / b.cpu), rss: r2(agentRss / bareRss) },
    target: { cycleWithinS: INTERVAL_S, rssUnderMB: 150, cycleOk: a.ms < INTERVAL_S * 1000, rssOk: agentRss < 150 },
  };
  console.log(JSON.stringify(result, null, 2));
}

await main();
process.exit(0);
