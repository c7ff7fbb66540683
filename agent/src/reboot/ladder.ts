// The reboot escalation ladder (issue 3 §6, DOMAIN §3.1: a temporary malfunction is cured by a reboot).
// A camera that answers but shows stream-down / frozen for `afterCycles` consecutive cycles goes up the
// ladder: re-probe → reconnect the stream → ONVIF SystemReboot → PoE power cycle → stop and leave it to a
// case. Each reboot passes the guard rails (guards.ts) first and is verified (verify.ts); every outcome is
// published as a `reboot` event. The server can ask for a reboot (cmd/reboot): same guard rails, same ladder
// from the first reboot step on.
import type { Condition, DeviceSample } from '@camfleet/shared';
import type { AgentDevice, RebootStep } from '../config/types.ts';
import { poeSwitch, type RebootActions } from './actions.ts';
import { checkGuards, type Refusal } from './guards.ts';
import type { RebootHistory, RebootMethod, RebootSource } from './history.ts';
import type { RebootPolicy } from './policy.ts';
import { streamHealthy, verifyReboot, STREAM_FAULTS } from './verify.ts';

export interface LadderDeps {
  policy: () => RebootPolicy;
  devices: () => ReadonlyMap<string, AgentDevice>;
  history: RebootHistory;
  /** Every applicable probe of the device, now (outside the cycle's schedule). */
  probeNow: (device: AgentDevice) => Promise<DeviceSample>;
  actions: RebootActions;
  brokerConnected: () => boolean;
  emit: (device: string, data: Record<string, unknown>) => void;
  log: (msg: string) => void;
  now?: () => number;
  /** Seconds between probes while verifying (default 1). */
  verifyPollMs?: number;
}

export interface RebootRequestResult {
  ok: boolean;
  code: string;
  message: string;
}

/** A reboot counts as recent context (`power-cycled` on its samples) for this long. */
const CONTEXT_MS = 3600_000;
const REBOOT_STEPS: ReadonlySet<RebootStep> = new Set(['onvif-reboot', 'poe-cycle']);
/** After a refusal the automatic ladder waits this long before trying the same camera again. */
export const REFUSAL_BACKOFF_MS = 10 * 60_000;

export class RebootManager {
  private readonly bad = new Map<string, number>();
  private readonly episodes = new Map<string, Promise<void>>();
  /** The ladder ran out for these: nothing more until the camera is seen healthy again. */
  private readonly exhausted = new Set<string>();
  private readonly active = new Set<string>();
  private readonly lastRefusal = new Map<string, string>();
  private readonly quietUntil = new Map<string, number>();
  private samples = new Map<string, DeviceSample>();
  private readonly abort = new AbortController();
  private readonly now: () => number;

  constructor(private readonly deps: LadderDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Feeds one cycle's samples; `fresh` holds the conditions of probes that really ran this cycle. */
  observe(samples: readonly DeviceSample[], fresh: ReadonlyMap<string, ReadonlySet<Condition>>): void {
    for (const s of samples) this.samples.set(s.device, s);
    const policy = this.deps.policy();
    const devices = this.deps.devices();
    for (const s of samples) {
      const device = devices.get(s.device);
      if (!device || !policy.segments.has(device.segment) || this.episodes.has(s.device)) continue;
      if (streamHealthy(s) || !s.reachable) {
        this.bad.delete(s.device);
        if (streamHealthy(s)) {
          this.exhausted.delete(s.device);
          this.lastRefusal.delete(s.device);
          this.quietUntil.delete(s.device);
        }
        continue;
      }
      const seen = fresh.get(s.device);
      if (!seen || !STREAM_FAULTS.some((c) => seen.has(c))) continue; // carried over: no new evidence
      const count = (this.bad.get(s.device) ?? 0) + 1;
      this.bad.set(s.device, count);
      const quiet = (this.quietUntil.get(s.device) ?? 0) > this.now();
      if (policy.enabled && count >= policy.afterCycles && !this.exhausted.has(s.device) && !quiet) {
        this.bad.delete(s.device);
        this.start(device, 'auto', policy.steps);
      }
    }
  }

  /** cmd/reboot from the server: the same guard rails, then the ladder's reboot steps. */
  request(deviceId: string, commandId: string): Promise<RebootRequestResult> {
    const policy = this.deps.policy();
    const device = this.deps.devices().get(deviceId);
    if (this.episodes.has(deviceId)) return Promise.resolve({ ok: false, code: 'in-progress', message: `${deviceId} is already on the reboot ladder` });
    const refusal = this.guard(deviceId);
    if (refusal || !device) return Promise.resolve({ ok: false, code: refusal?.code ?? 'unknown-device', message: refusal?.message ?? `no device "${deviceId}"` });
    const steps = policy.steps.filter((s) => REBOOT_STEPS.has(s));
    if (steps.length === 0) return Promise.resolve({ ok: false, code: 'not-rebootable', message: 'reboot.steps has no reboot step (onvif-reboot, poe-cycle)' });
    return new Promise((answer) => this.start(device, 'command', steps, commandId, answer));
  }

  /** `power-cycled` context for a device being rebooted or rebooted within the last hour. */
  contextConditions(deviceId: string): Condition[] {
    if (this.active.has(deviceId) || this.deps.history.counted(deviceId, this.now() - CONTEXT_MS).length > 0) return ['power-cycled'];
    return [];
  }

  get running(): number {
    return this.episodes.size;
  }

  /** Stops every ladder at its next step; a verification cut short is recorded as interrupted. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.episodes.values()]);
  }

  private guard(deviceId: string): Refusal | undefined {
    return checkGuards(
      {
        policy: this.deps.policy(),
        history: this.deps.history,
        devices: this.deps.devices(),
        samples: this.samples,
        brokerConnected: this.deps.brokerConnected(),
        active: this.active,
        now: this.now(),
      },
      deviceId,
    );
  }

  private start(device: AgentDevice, source: RebootSource, steps: RebootStep[], commandId?: string, answer?: (r: RebootRequestResult) => void): void {
    const run = this.climb(device, source, steps, commandId, answer)
      .catch((err: unknown) => {
        this.deps.log(`reboot ladder for ${device.id} failed: ${err instanceof Error ? err.message : String(err)}`);
        answer?.({ ok: false, code: 'error', message: 'the reboot ladder failed; see the agent log' });
      })
      .finally(() => this.episodes.delete(device.id));
    this.episodes.set(device.id, run);
  }

  private async climb(device: AgentDevice, source: RebootSource, steps: RebootStep[], commandId?: string, answer?: (r: RebootRequestResult) => void): Promise<void> {
    const base = { source, ...(commandId ? { commandId } : {}) };
    const emit = (data: Record<string, unknown>) => this.deps.emit(device.id, { ...base, ...data });
    let rebooted = false;
    let failure: string | undefined;
    let last: string | undefined;
    const why = source === 'auto' ? 'stream unhealthy' : `reboot requested (command ${commandId ?? '?'})`;
    this.deps.log(`${device.id}: ${why}; reboot ladder starts: ${steps.join(' → ')}`);
    for (const step of steps) {
      if (this.abort.signal.aborted) return;
      if (step === 'reprobe' || step === 'reconnect-stream') {
        if (step === 'reconnect-stream') await this.deps.actions.reconnectStream(device);
        await this.sleep(this.deps.policy().stepPauseMs);
        if (streamHealthy(await this.deps.probeNow(device))) {
          emit({ outcome: 'recovered', step });
          return;
        }
        continue;
      }
      const method: RebootMethod = step === 'onvif-reboot' ? 'onvif' : 'poe';
      const sw = method === 'poe' ? poeSwitch(device, this.deps.devices()) : undefined;
      if (method === 'onvif' ? !device.onvif : !sw || !(await this.deps.actions.poeAvailable())) continue;
      const refusal = this.guard(device.id);
      if (refusal) {
        answer?.({ ok: false, code: refusal.code, message: refusal.message });
        answer = undefined;
        if (rebooted) break; // a reboot already happened in this episode: leave the rest to a case
        if (this.lastRefusal.get(device.id) !== refusal.code) {
          emit({ outcome: 'refused', step, code: refusal.code, message: refusal.message });
          this.deps.log(`${device.id}: reboot refused (${refusal.code}): ${refusal.message}`);
        }
        this.lastRefusal.set(device.id, refusal.code);
        if (source === 'auto') this.quietUntil.set(device.id, this.now() + REFUSAL_BACKOFF_MS);
        return; // may pass later (window ends, cap expires): the trigger counts again from zero
      }
      const outcome = await this.reboot(device, method, step, source, commandId, sw, (r) => {
        answer?.(r);
        answer = undefined;
      });
      if (outcome === 'verified') return;
      last = `${step}: ${outcome}`;
      if (outcome === 'failed') failure = `${step} failed (see the reboot event)`;
      if (outcome !== 'failed' && outcome !== 'no-drop') rebooted = true;
      if (outcome === 'interrupted') return;
    }
    answer?.(
      failure
        ? { ok: false, code: 'reboot-failed', message: failure }
        : { ok: false, code: 'not-rebootable', message: `${device.id} has no usable reboot method (onvif block, or poe block + switch with snmp.writeCommunity)` },
    );
    const reason = rebooted ? 'rebooted, but the stream did not recover' : last ? `the reboot steps did not take (${last})` : 'no reboot step could run';
    emit({ outcome: 'gave-up', message: `${reason}: leaving it to a case` });
    this.exhausted.add(device.id);
    this.deps.log(`${device.id}: reboot ladder exhausted; leaving it to a case`);
  }

  private async reboot(
    device: AgentDevice,
    method: RebootMethod,
    step: RebootStep,
    source: RebootSource,
    commandId: string | undefined,
    sw: AgentDevice | undefined,
    answer: (r: RebootRequestResult) => void,
  ): Promise<string> {
    const policy = this.deps.policy();
    const record = this.deps.history.add({ device: device.id, at: this.now(), method, source, ...(commandId ? { commandId } : {}) });
    this.active.add(device.id);
    const emit = (data: Record<string, unknown>) => this.deps.emit(device.id, { source, step, method, record: record.id, ...(commandId ? { commandId } : {}), ...data });
    try {
      let message: string;
      try {
        message = method === 'onvif' ? await this.deps.actions.onvifReboot(device, this.abort.signal) : await this.deps.actions.poeCycle(device, sw!, policy.poeOffMs, this.abort.signal);
      } catch (err) {
        const reason = err instanceof Error ? err.message.slice(0, 250) : String(err);
        this.deps.history.finish(record, 'failed');
        emit({ outcome: 'failed', message: reason });
        this.deps.log(`${device.id}: ${step} failed: ${reason}`);
        return 'failed';
      }
      answer({ ok: true, code: 'rebooting', message: `${step}: ${message}; the verified outcome follows as a reboot event` });
      emit({ outcome: 'issued', message });
      this.deps.log(`${device.id}: ${step} issued (${message}); verifying`);
      const result = await verifyReboot({
        probe: () => this.deps.probeNow(device),
        startedAt: record.at,
        dropTimeoutMs: policy.dropTimeoutMs,
        verifyTimeoutMs: policy.verifyTimeoutMs,
        pollMs: this.deps.verifyPollMs ?? 1000,
        now: this.now,
        sleep: (ms) => this.sleep(ms),
        stopped: () => this.abort.signal.aborted,
      });
      if (result.outcome === 'interrupted') return 'interrupted'; // stays pending on disk: read back as interrupted
      this.deps.history.finish(record, result.outcome);
      emit({ ...result });
      this.deps.log(`${device.id}: ${step} outcome ${result.outcome}`);
      return result.outcome;
    } finally {
      this.active.delete(device.id);
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      if (signal.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
