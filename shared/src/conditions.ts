// Condition words observed on a device — CONTRACTS.md §1. `power-cycled` is context, never a fault by itself.
import { Type } from '@sinclair/typebox';

export const CONDITIONS = [
  'unreachable',
  'stream-down',
  'auth-failed',
  'blur',
  'night-blur',
  'fog',
  'frozen',
  'black',
  'clock-drift',
  'lte-signal-weak',
  'power-cycled',
] as const;
export type Condition = (typeof CONDITIONS)[number];
export const ConditionSchema = Type.Union(CONDITIONS.map((c) => Type.Literal(c)));

/** Context-only conditions: they explain other faults but open no case (CONTRACTS §1). */
export const CONTEXT_CONDITIONS: ReadonlySet<Condition> = new Set(['power-cycled']);
