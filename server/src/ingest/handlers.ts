// One handler per message kind (DESIGN §3), behind the dispatcher.
import type { DeviceSample, SiteSpec } from '@camfleet/shared';
import type { FleetState } from '../state/fleet-state.ts';
import type { StatePersistence } from '../state/persist.ts';
import type { ThumbnailStore } from '../thumbnails/store.ts';
import type { SampleRow, TimeSeriesStore } from '../timeseries/types.ts';
import type { EventStore } from '../events/store.ts';
import type { CommandBroker } from './commands.ts';
import type { Handlers } from './dispatcher.ts';

export interface HandlerDeps {
  fleet: FleetState;
  timeseries: TimeSeriesStore;
  persistence: StatePersistence;
  commands: CommandBroker;
  /** Told what this instance consumed, for its peers (state/peer-sync.ts); set once realtime is up. */
  peers?: () => { consumed(site: string, samples: DeviceSample[]): void; inventory(spec: SiteSpec): void } | undefined;
  log: (msg: string) => void;
  /** Latest camera thumbnails (memory only; never history). */
  thumbnails?: ThumbnailStore;
  /** Agent events for the device history (events/store.ts). */
  events?: EventStore;
}

function toRow(site: string, segment: string | undefined, s: DeviceSample): SampleRow {
  const fields: Record<string, number> = { reachable: s.reachable ? 1 : 0 };
  if (s.behindParent) fields.behindParent = 1;
  if (s.metrics) Object.assign(fields, s.metrics);
  return { site, device: s.device, ...(segment ? { segment } : {}), at: Date.parse(s.at), fields };
}

export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    state(msg) {
      deps.fleet.applyPresence(msg.site, msg.state);
    },
    async inventory(msg) {
      deps.fleet.applyInventory(msg.site);
      await deps.persistence.saveInventory(msg.site, msg.agent);
    },
    // Current state first, at once: applying a batch twice changes nothing (older samples are ignored,
    // the same sample sets the same state), so it need not wait for the database claim.
    telemetryState(batch) {
      deps.thumbnails?.accept(batch.site, batch.samples); // before the status points at them
      deps.fleet.applySamples(batch.site, batch.samples);
      deps.peers?.()?.consumed(batch.site, batch.samples);
    },
    // History once per batch: only the claim's winner writes it.
    telemetry(batch, ctx) {
      const rows = batch.samples.map((s) => toRow(batch.site, deps.fleet.deviceStatus(batch.site, s.device)?.segment, s));
      deps.timeseries.write(rows, ctx.durable);
    },
    async event(ev) {
      // Stored before the PUBACK, so an event the database refused is redelivered rather than lost.
      await deps.events?.record(ev);
    },
    'cmd-result'(result, ctx) {
      deps.commands.resolve(ctx.topic.site, result);
    },
  };
}
