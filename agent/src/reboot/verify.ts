// Verifying a reboot (issue 3 §6): the device must go away, come back with its uptime reset (where a probe
// reports `uptimeS`; ONVIF has no standard uptime, so otherwise the observed drop stands for it), and show a
// healthy stream, all within the policy's timeouts.
import type { DeviceSample } from '@camfleet/shared';
import type { RebootOutcome } from './history.ts';

export const STREAM_FAULTS = ['stream-down', 'frozen'] as const;

/** Reachable and neither stream-down nor frozen. */
export function streamHealthy(s: DeviceSample): boolean {
  return s.reachable && !s.conditions.some((c) => (STREAM_FAULTS as readonly string[]).includes(c));
}

export interface VerifyOptions {
  probe: () => Promise<DeviceSample>;
  /** When the reboot command was sent / the power came back (ms since epoch). */
  startedAt: number;
  dropTimeoutMs: number;
  verifyTimeoutMs: number;
  pollMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  stopped: () => boolean;
}

export interface Verification {
  outcome: RebootOutcome;
  droppedAfterS?: number;
  backAfterS?: number;
  healthyAfterS?: number;
  uptimeS?: number;
}

export async function verifyReboot(o: VerifyOptions): Promise<Verification> {
  const elapsedS = () => Math.round((o.now() - o.startedAt) / 100) / 10;
  const until = async (deadline: number, done: (s: DeviceSample) => boolean): Promise<DeviceSample | undefined> => {
    for (;;) {
      if (o.stopped()) return undefined;
      const s = await o.probe();
      if (done(s)) return s;
      if (o.now() >= deadline) return undefined;
      await o.sleep(o.pollMs);
    }
  };
  const uptimeReset = (s: DeviceSample) => s.metrics?.uptimeS !== undefined && s.metrics.uptimeS * 1000 < o.now() - o.startedAt;
  const uptimeKnown = (s: DeviceSample) => s.metrics?.uptimeS !== undefined;

  // 1. It goes away (or is seen back already with a fresh uptime: a fast reboot between two polls).
  const gone = await until(o.startedAt + o.dropTimeoutMs, (s) => !s.reachable || uptimeReset(s));
  if (!gone) return { outcome: o.stopped() ? 'interrupted' : 'no-drop' };
  const result: Verification = { outcome: 'verified', droppedAfterS: elapsedS() };

  // 2. It comes back.
  const deadline = o.startedAt + o.verifyTimeoutMs;
  const back = gone.reachable ? gone : await until(deadline, (s) => s.reachable);
  if (!back) return { ...result, outcome: o.stopped() ? 'interrupted' : 'not-back' };
  result.backAfterS = elapsedS();
  if (uptimeKnown(back)) {
    result.uptimeS = back.metrics?.uptimeS;
    if (!uptimeReset(back)) return { ...result, outcome: 'no-drop' }; // it only dropped off the network
  }

  // 3. Its stream is healthy.
  const healthy = streamHealthy(back) ? back : await until(deadline, streamHealthy);
  if (!healthy) return { ...result, outcome: o.stopped() ? 'interrupted' : 'stream-unhealthy' };
  result.healthyAfterS = elapsedS();
  return result;
}
