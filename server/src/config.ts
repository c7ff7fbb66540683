// Server settings from the environment. Embedded defaults need none of them (CONTRACTS §4); setting the
// production URLs switches the broker, time series and relational store to Mosquitto / InfluxDB / PostgreSQL.
import path from 'node:path';
import type { InfluxRetention } from './timeseries/influx-schema.ts';

export interface ServerConfig {
  host: string;
  port: number;
  /** Embedded aedes broker port; ignored when mqttUrl is set. */
  mqttPort: number;
  /** External broker (Mosquitto, EMQX); unset → the embedded aedes broker. */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** Shared-subscription group so several server instances split the telemetry ($share/<group>/…). */
  mqttShareGroup: string;
  /** Stable MQTT client id: the broker keeps this instance's session (and queues its QoS 1 share) across a restart. */
  mqttClientId?: string;
  /** How long the broker keeps the session of a stopped instance (MQTT 5 session expiry). */
  mqttSessionExpiryS: number;
  /** Embedded broker only: `site:password` lines; a site's login may publish only under its own subtree. */
  mqttSiteCredentials?: string;
  /** InfluxDB retention policies (InfluxQL durations): raw samples, 5-minute and hourly rollups. */
  influxRetention: InfluxRetention;
  /** Samples the InfluxDB write buffer holds in memory before spilling to disk. */
  tsMemoryPoints: number;
  /** Cap of the on-disk spill (bytes). */
  tsSpillBytes: number;
  dataDir: string;
  /** InfluxDB 1.x (or its v1-compatible API) URL including the database, e.g. http://host:8086/camfleet. */
  influxUrl?: string;
  /** PostgreSQL URL; unset → PGlite in dataDir. */
  databaseUrl?: string;
  /** A device with no sample for this long turns STALE; an agent silent for staleAfterS × 3 turns UNKNOWN. */
  staleAfterS: number;
  /** Where the dashboard build lives. */
  dashboardDir: string;
  logLevel: string;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}=${raw} is not a whole number from ${min} to ${max}`);
  }
  return n;
}

function url(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL (expected e.g. ${protocols[0]}//host:port)`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}, not ${parsed.protocol}`);
  }
  return raw;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  if (!raw) return fallback;
  if (!/^\d+(m|h|d|w)$/.test(raw)) throw new ConfigError(`${name}=${raw} is not an InfluxQL duration such as 7d, 12h or 104w`);
  return raw;
}

const here = path.dirname(new URL(import.meta.url).pathname);

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const mqttUrl = url(env, 'CAMFLEET_MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ssl:']);
  const influxUrl = url(env, 'CAMFLEET_INFLUX_URL', ['http:', 'https:']);
  const databaseUrl = url(env, 'CAMFLEET_DATABASE_URL', ['postgres:', 'postgresql:']);
  return {
    host: env.HOST || '0.0.0.0',
    port: int(env, 'PORT', 8080, 0, 65535),
    mqttPort: int(env, 'CAMFLEET_MQTT_PORT', 1883, 0, 65535),
    ...(mqttUrl ? { mqttUrl } : {}),
    ...(env.CAMFLEET_MQTT_USERNAME ? { mqttUsername: env.CAMFLEET_MQTT_USERNAME } : {}),
    ...(env.CAMFLEET_MQTT_PASSWORD ? { mqttPassword: env.CAMFLEET_MQTT_PASSWORD } : {}),
    mqttShareGroup: env.CAMFLEET_MQTT_SHARE_GROUP || 'camfleet-server',
    ...(env.CAMFLEET_MQTT_CLIENT_ID ? { mqttClientId: env.CAMFLEET_MQTT_CLIENT_ID } : {}),
    mqttSessionExpiryS: int(env, 'CAMFLEET_MQTT_SESSION_EXPIRY_S', 3600, 0, 7 * 86_400),
    ...(env.CAMFLEET_MQTT_SITE_CREDENTIALS ? { mqttSiteCredentials: path.resolve(env.CAMFLEET_MQTT_SITE_CREDENTIALS) } : {}),
    influxRetention: {
      raw: duration(env, 'CAMFLEET_INFLUX_RETENTION_RAW', '7d'),
      rollup5m: duration(env, 'CAMFLEET_INFLUX_RETENTION_5M', '90d'),
      rollup1h: duration(env, 'CAMFLEET_INFLUX_RETENTION_1H', '730d'),
    },
    tsMemoryPoints: int(env, 'CAMFLEET_TS_BUFFER_POINTS', 500_000, 10_000, 50_000_000),
    tsSpillBytes: int(env, 'CAMFLEET_TS_SPILL_MB', 2048, 1, 1_000_000) * 1024 * 1024,
    dataDir: path.resolve(env.CAMFLEET_DATA_DIR || './data'),
    ...(influxUrl ? { influxUrl } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    staleAfterS: int(env, 'CAMFLEET_STALE_AFTER_S', 90, 5, 86_400),
    dashboardDir: path.resolve(env.CAMFLEET_DASHBOARD_DIR || path.join(here, '../../dashboard/dist')),
    logLevel: env.LOG_LEVEL || 'info',
  };
}
