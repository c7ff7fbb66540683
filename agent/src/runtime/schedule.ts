// The poll schedule (issue 3 §3): one cycle every poll.intervalS; each probe kind runs on a device every
// `everyCycles` cycles (its own intervalS rounded up to whole cycles), with its own hard timeout. A kind
// that runs less often than every cycle first runs at once, then at a random phase within its interval, so
// a site's ONVIF (or RTSP) load spreads evenly over the cycles instead of landing on one.
import type { PollSettings } from '../config/types.ts';
import { PROBES } from '../probes/registry.ts';
import type { Probe } from '../probes/types.ts';

export const DEFAULT_CONCURRENCY = 64;
export const DEFAULT_PER_DEVICE_CONCURRENCY = 2;
/** Default cycle-start jitter as a share of the interval. */
export const DEFAULT_JITTER_SHARE = 0.1;

export interface ScheduledProbe {
  kind: string;
  probe: Probe;
  everyCycles: number;
  timeoutMs: number;
}

export interface ScheduleSettings {
  intervalMs: number;
  jitterMs: number;
  concurrency: number;
  perDeviceConcurrency: number;
  probes: ScheduledProbe[];
}

/** Settings with every default applied; `registry` is PROBES unless a test passes its own. */
export function resolveSchedule(poll: PollSettings, registry: Record<string, Probe> = PROBES): ScheduleSettings {
  const probes: ScheduledProbe[] = [];
  for (const [kind, probe] of Object.entries(registry)) {
    const own = poll.probes?.[kind] ?? {};
    if (own.enabled === false) continue;
    const intervalS = Math.max(own.intervalS ?? poll.intervalS, poll.intervalS);
    probes.push({ kind, probe, everyCycles: Math.ceil(intervalS / poll.intervalS - 1e-9), timeoutMs: (own.timeoutS ?? poll.timeoutS) * 1000 });
  }
  return {
    intervalMs: poll.intervalS * 1000,
    jitterMs: (poll.jitterS ?? poll.intervalS * DEFAULT_JITTER_SHARE) * 1000,
    concurrency: poll.concurrency ?? DEFAULT_CONCURRENCY,
    perDeviceConcurrency: poll.perDeviceConcurrency ?? DEFAULT_PER_DEVICE_CONCURRENCY,
    probes,
  };
}

/** Which (device, kind) is due in which cycle. Kept across cycles and config reloads. */
export class ProbeSchedule {
  private readonly nextDue = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  due(device: string, kind: string, cycle: number): boolean {
    return (this.nextDue.get(`${device}\u0000${kind}`) ?? cycle) <= cycle;
  }

  /** Records a run in `cycle`; the next one is `everyCycles` later, or at a random phase after the first run. */
  ran(device: string, kind: string, cycle: number, everyCycles: number): void {
    const key = `${device}\u0000${kind}`;
    const first = !this.nextDue.has(key);
    const next = first && everyCycles > 1 ? cycle + 1 + Math.floor(this.random() * everyCycles) : cycle + everyCycles;
    this.nextDue.set(key, next);
  }

  /** Drops devices no longer in the config. */
  retain(devices: ReadonlySet<string>): void {
    for (const key of this.nextDue.keys()) if (!devices.has(key.split('\u0000')[0]!)) this.nextDue.delete(key);
  }
}
