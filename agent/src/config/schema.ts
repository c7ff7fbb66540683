// The site config file's shape, as written in YAML (before defaults). Every object is closed
// (additionalProperties: false) so that a misspelt key is reported instead of silently ignored.
import { Type, type Static, type TObject, type TOptional } from '@sinclair/typebox';
import { DeviceSpecSchema, IdSchema, RegionSchema, SiteSpecSchema } from '@camfleet/shared';

const closed = { additionalProperties: false } as const;
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const OnvifBlockSchema = Type.Object(
  {
    port: Type.Optional(Port),
    path: Type.Optional(Type.String({ pattern: '^/', maxLength: 255, description: 'a path starting with "/"' })),
    username: Type.Optional(Text(128)),
    password: Type.Optional(Type.String({ maxLength: 256 })),
  },
  closed,
);

/** How reachability is probed (agent/src/probes/reachability). */
export const ReachabilityBlockSchema = Type.Object(
  {
    method: Type.Optional(Type.Union([Type.Literal('icmp'), Type.Literal('tcp')])),
    port: Type.Optional(Port),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  },
  closed,
);

/** RTSP stream check (agent/src/probes/rtsp): OPTIONS + DESCRIBE with Digest auth, one frame grabbed. */
export const RtspBlockSchema = Type.Object(
  {
    /** Full rtsp:// URL without credentials; else built from address, port and path. */
    url: Type.Optional(Type.String({ pattern: '^rtsps?://', maxLength: 500 })),
    port: Type.Optional(Port),
    path: Type.Optional(Type.String({ pattern: '^/', maxLength: 255 })),
    username: Type.Optional(Text(128)),
    password: Type.Optional(Type.String({ maxLength: 256 })),
    /** Grab one frame per poll for the image checks (default true). */
    grabFrame: Type.Optional(Type.Boolean()),
  },
  closed,
);

/** SNMP (agent/src/probes/snmp): LTE router signal and WAN state, switch PoE ports. */
export const SnmpBlockSchema = Type.Object(
  {
    port: Type.Optional(Port),
    version: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('2c')])),
    community: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Community allowed to SET (PoE power-cycle); absent = the agent never writes. */
    writeCommunity: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  closed,
);

/** A camera powered by its parent switch: which PoE port (RFC 3621 pethPsePortIndex, group 1 unless given). */
export const PoeBlockSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 1, maximum: 1024 }),
    group: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  },
  closed,
);

/**
 * Protocol blocks a device may carry, by key. Adding a protocol (rtsp, snmp) is one line here plus its
 * settings type in types.ts; the "needs an address" rule and toInventory's stripping follow from this map.
 */
export const PROTOCOL_BLOCKS = {
  onvif: OnvifBlockSchema,
  reachability: ReachabilityBlockSchema,
  rtsp: RtspBlockSchema,
  snmp: SnmpBlockSchema,
  poe: PoeBlockSchema,
} satisfies Record<string, TObject>;
export type ProtocolKey = keyof typeof PROTOCOL_BLOCKS;

type OptionalAll<T extends Record<string, TObject>> = { [K in keyof T]: TOptional<T[K]> };
function optionalAll<T extends Record<string, TObject>>(blocks: T): OptionalAll<T> {
  const out: Record<string, TOptional<TObject>> = {};
  for (const [key, schema] of Object.entries(blocks)) out[key] = Type.Optional(schema);
  return out as OptionalAll<T>;
}

// Inventory fields come from the shared DeviceSpec so the agent and server never drift apart.
export const DeviceBlockSchema = Type.Object(
  { ...DeviceSpecSchema.properties, ...optionalAll(PROTOCOL_BLOCKS) },
  closed,
);

export const SiteFileSchema = Type.Object(
  {
    site: Type.Object(
      {
        id: IdSchema,
        name: SiteSpecSchema.properties.name,
        region: Type.Optional(RegionSchema),
        contractId: SiteSpecSchema.properties.contractId,
        address: SiteSpecSchema.properties.address,
      },
      closed,
    ),
    agent: Type.Optional(Type.Object({ id: Type.Optional(IdSchema) }, closed)),
    mqtt: Type.Object(
      {
        url: Text(500),
        username: Type.Optional(Text(128)),
        password: Type.Optional(Type.String({ maxLength: 256 })),
        passwordFile: Type.Optional(Text(1024)),
        // MQTT keepalive is a 16-bit count of seconds; 0 turns it off.
        keepaliveS: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
      },
      closed,
    ),
    poll: Type.Optional(
      Type.Object(
        {
          intervalS: Type.Optional(Type.Number({ minimum: 1, maximum: 86400 })),
          timeoutS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 600 })),
        },
        closed,
      ),
    ),
    stateDir: Type.Optional(Text(1024)),
    devices: Type.Array(DeviceBlockSchema, { maxItems: SiteSpecSchema.properties.devices.maxItems ?? 2000 }),
  },
  closed,
);
export type SiteFile = Static<typeof SiteFileSchema>;
export type DeviceBlock = Static<typeof DeviceBlockSchema>;
