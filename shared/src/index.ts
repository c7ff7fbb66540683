import './formats.ts';
export * from './segments.ts';
export * from './conditions.ts';
export * from './site.ts';
export * from './mqtt.ts';
export * from './realtime.ts';
export * from './domain/index.ts';
export * from './redact.ts';
export * from './cases.ts';
