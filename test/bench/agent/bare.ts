// The ceiling for the agent benchmark: the same probes (the registry's reachability and ONVIF) over the
// same devices with the same site-wide concurrency, run bare in a loop — no scheduler, outbox, MQTT or
// topology. Reads the device list (JSON AgentDevice[]) from argv[2]; prints one JSON line per iteration
// and a final one with its own CPU time and peak RSS.
import { readFileSync } from 'node:fs';
import type { AgentDevice } from '../../../agent/src/config/types.ts';
import { onvifProbe } from '../../../agent/src/probes/onvif/probe.ts';
import { reachabilityProbe } from '../../../agent/src/probes/reachability/probe.ts';

const devices = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as AgentDevice[];
const iterations = Number(process.argv[3] ?? 5);
const concurrency = Number(process.argv[4] ?? 64);
const timeoutMs = Number(process.argv[5] ?? 5000);
const jobs = devices.flatMap((d) => [reachabilityProbe, onvifProbe].filter((p) => p.appliesTo(d)).map((p) => ({ d, p })));

for (let i = 0; i < iterations; i++) {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const { d, p } = jobs[next++]!;
        const r = await p.run({ device: d, timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
        if (!r.reachable || r.error) failed++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ iteration: i, ms: Math.round(performance.now() - started), cpuS: (cpu.user + cpu.system) / 1e6, probes: jobs.length, failed })}\n`);
}
process.stdout.write(`${JSON.stringify({ done: true, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
