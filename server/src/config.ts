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
  /** Sets the `admin` user's password at start (else a random one is printed on the very first start). */
  adminPassword?: string;
  /** Installs this admin API token (`cft_…`) for provisioning scripts. */
  adminToken?: string;
  /** Secure flag of the session cookie: auto = when the request came over HTTPS. */
  cookieSecure: 'auto' | 'always' | 'never';
  /** Trust X-Forwarded-* from a reverse proxy (for the client address and HTTPS detection). */
  trustProxy: boolean;
  /** Requests per minute per client address, all routes together. */
  rateLimitPerMin: number;
  /** Login attempts per minute per client address. */
  loginPerMin: number;
  /** Failed logins in a row that lock an account, and for how long. */
  loginMaxFailures: number;
  loginLockoutS: number;
  /** A session unused this long ends. */
  sessionIdleS: number;
  /** HTTPS: PEM files of the server's certificate and key (both or neither). */
  tlsCert?: string;
  tlsKey?: string;
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

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name}=${raw} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** Never echo a secret's value in an error: name the variable and what is wrong with it. */
function secrets(env: NodeJS.ProcessEnv): Pick<ServerConfig, 'adminPassword' | 'adminToken'> {
  const out: Pick<ServerConfig, 'adminPassword' | 'adminToken'> = {};
  if (env.CAMFLEET_ADMIN_PASSWORD) {
    if (env.CAMFLEET_ADMIN_PASSWORD.length < 12) throw new ConfigError('CAMFLEET_ADMIN_PASSWORD is shorter than 12 characters');
    out.adminPassword = env.CAMFLEET_ADMIN_PASSWORD;
  }
  if (env.CAMFLEET_ADMIN_TOKEN) {
    if (!/^cft_[A-Za-z0-9_-]{32,}$/.test(env.CAMFLEET_ADMIN_TOKEN)) throw new ConfigError('CAMFLEET_ADMIN_TOKEN must be "cft_" and at least 32 letters, digits, "-" or "_"');
    out.adminToken = env.CAMFLEET_ADMIN_TOKEN;
  }
  return out;
}

function tlsFiles(env: NodeJS.ProcessEnv): Pick<ServerConfig, 'tlsCert' | 'tlsKey'> {
  const cert = env.CAMFLEET_TLS_CERT;
  const key = env.CAMFLEET_TLS_KEY;
  if (!cert && !key) return {};
  if (!cert || !key) throw new ConfigError('set both CAMFLEET_TLS_CERT and CAMFLEET_TLS_KEY for HTTPS, or neither');
  return { tlsCert: path.resolve(cert), tlsKey: path.resolve(key) };
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
    ...secrets(env),
    cookieSecure: oneOf(env, 'CAMFLEET_COOKIE_SECURE', ['auto', 'always', 'never'] as const, 'auto'),
    trustProxy: oneOf(env, 'CAMFLEET_TRUST_PROXY', ['false', 'true'] as const, 'false') === 'true',
    rateLimitPerMin: int(env, 'CAMFLEET_RATE_LIMIT_PER_MIN', 3000, 60, 1_000_000),
    loginPerMin: int(env, 'CAMFLEET_LOGIN_PER_MIN', 10, 1, 10_000),
    loginMaxFailures: int(env, 'CAMFLEET_LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginLockoutS: int(env, 'CAMFLEET_LOGIN_LOCKOUT_S', 900, 1, 86_400),
    sessionIdleS: int(env, 'CAMFLEET_SESSION_IDLE_S', 12 * 3600, 60, 30 * 86_400),
    ...tlsFiles(env),
  };
}
