// Compiled validators for every payload kind an agent may publish (DESIGN §3).
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  AgentEventSchema,
  AgentStateSchema,
  CommandResultSchema,
  InventorySchema,
  TelemetryBatchSchema,
} from '@camfleet/shared';

export const validators = {
  state: TypeCompiler.Compile(AgentStateSchema),
  telemetry: TypeCompiler.Compile(TelemetryBatchSchema),
  event: TypeCompiler.Compile(AgentEventSchema),
  inventory: TypeCompiler.Compile(InventorySchema),
  'cmd-result': TypeCompiler.Compile(CommandResultSchema),
};
