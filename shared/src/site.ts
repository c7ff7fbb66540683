// A site and its devices as the server and the triage API see them (no credentials: those stay on the agent).
import { Type, type Static } from '@sinclair/typebox';
import { SegmentSchema } from './segments.ts';

/** Ids travel in MQTT topics, so no '/', '+', '#' or whitespace. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const IdSchema = Type.String({ pattern: ID_PATTERN, maxLength: 64 });
export const DateSchema = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
export const RegionSchema = Type.Union([Type.Literal('east'), Type.Literal('west')]);
export type Region = Static<typeof RegionSchema>;

export const MaintenanceContractSchema = Type.Union([
  Type.Literal('none'),
  Type.Literal('ipro-partner'),
  Type.Literal('panasonic-onsite'),
  Type.Literal('panasonic-sendback'),
  Type.Literal('nec-supportpack'),
]);

export const DeviceSpecSchema = Type.Object(
  {
    id: IdSchema,
    segment: SegmentSchema,
    parent: Type.Optional(IdSchema),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    address: Type.Optional(Type.String({ maxLength: 255 })),
    vendor: Type.Optional(Type.String({ maxLength: 100 })),
    model: Type.Optional(Type.String({ maxLength: 100 })),
    serial: Type.Optional(Type.String({ maxLength: 100 })),
    purchaseDate: Type.Optional(DateSchema),
    shipDate: Type.Optional(DateSchema),
    mountHeightM: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    maintenanceContract: Type.Optional(MaintenanceContractSchema),
  },
  { additionalProperties: true },
);
export type DeviceSpec = Static<typeof DeviceSpecSchema>;

export const SiteSpecSchema = Type.Object(
  {
    id: IdSchema,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    region: Type.Optional(RegionSchema),
    contractId: Type.Optional(Type.String({ maxLength: 64 })),
    address: Type.Optional(Type.String({ maxLength: 300 })),
    devices: Type.Array(DeviceSpecSchema, { maxItems: 2000 }),
  },
  { additionalProperties: true },
);
export type SiteSpec = Static<typeof SiteSpecSchema>;
