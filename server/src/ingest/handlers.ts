// One handler per message kind (DESIGN §3), behind the dispatcher.
import type { DeviceSample } from '@camfleet/shared';
import type { FleetState } from '../state/fleet-state.ts';
import type { StatePersistence } from '../state/persist.ts';
import type { SampleRow, TimeSeriesStore } from '../timeseries/types.ts';
import type { CommandBroker } from './commands.ts';
import type { Handlers } from './dispatcher.ts';

export interface HandlerDeps {
  fleet: FleetState;
  timeseries: TimeSeriesStore;
  persistence: StatePersistence;
  commands: CommandBroker;
  log: (msg: string) => void;
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
    telemetry(batch) {
      const rows = batch.samples.map((s) => toRow(batch.site, deps.fleet.deviceStatus(batch.site, s.device)?.segment, s));
      deps.timeseries.write(rows);
      deps.fleet.applySamples(batch.site, batch.samples);
    },
    event(ev) {
      deps.log(`agent event from ${ev.site}: ${ev.kind}${ev.device ? ` on ${ev.device}` : ''}`);
    },
    'cmd-result'(result, ctx) {
      deps.commands.resolve(ctx.topic.site, result);
    },
  };
}
