// The agent's site config as loaded from YAML (see loader for validation). Credentials live here and
// nowhere else: `toInventory()` strips them before anything leaves the gateway.
import type { DeviceSpec, Region } from '@camfleet/shared';

export interface OnvifSettings {
  port?: number;
  /** Device service path; defaults to /onvif/device_service. */
  path?: string;
  username?: string;
  password?: string;
}

export interface ReachabilitySettings {
  /** icmp (default; falls back to TCP where ICMP is not permitted) or tcp. */
  method?: 'icmp' | 'tcp';
  port?: number;
  count?: number;
}

export interface RtspSettings {
  url?: string;
  port?: number;
  path?: string;
  username?: string;
  password?: string;
  grabFrame?: boolean;
}

export interface SnmpSettings {
  port?: number;
  version?: '1' | '2c';
  community?: string;
  writeCommunity?: string;
}

export interface PoeSettings {
  port: number;
  group?: number;
}

export interface AgentDevice extends DeviceSpec {
  /** Host name or IP address the agent reaches the device at. */
  address?: string;
  onvif?: OnvifSettings;
  reachability?: ReachabilitySettings;
  rtsp?: RtspSettings;
  snmp?: SnmpSettings;
  poe?: PoeSettings;
}

export interface MqttSettings {
  url: string;
  username?: string;
  /** Read from `passwordFile` by loadSiteConfig() when the config gives a file instead. */
  password?: string;
  /** Absolute path (relative paths in the YAML are resolved against the config file's folder). */
  passwordFile?: string;
  keepaliveS: number;
  /** PEM trust anchors for mqtts:// / wss:// (absolute path; read by loadSiteConfig into `ca`). */
  caFile?: string;
  /** Optional client certificate and key (PEM), for brokers that authenticate by certificate. */
  certFile?: string;
  keyFile?: string;
  /** Contents of caFile / certFile / keyFile, filled in by loadSiteConfig(). */
  ca?: string;
  cert?: string;
  key?: string;
}

/** Per probe kind overrides of the poll schedule (agent/src/runtime/schedule.ts). */
export interface ProbeScheduleSettings {
  /** Seconds between runs of this probe on one device; rounded up to whole poll cycles. */
  intervalS?: number;
  /** Hard timeout of one run of this probe; default poll.timeoutS. */
  timeoutS?: number;
  /** false turns the probe kind off for the whole site. */
  enabled?: boolean;
}

export interface PollSettings {
  /** Seconds between poll cycles. */
  intervalS: number;
  /** Hard timeout for one probe of one device. */
  timeoutS: number;
  /** Each cycle starts up to this many seconds after its tick (random); default: a tenth of intervalS. */
  jitterS?: number;
  /** Probes in flight at once, site-wide (default 64). */
  concurrency?: number;
  /** Probes in flight at once against one device (default 2). */
  perDeviceConcurrency?: number;
  /** Per probe kind: interval, timeout, on/off. Absent kinds run every cycle with timeoutS. */
  probes?: Partial<Record<string, ProbeScheduleSettings>>;
}

/** Durable outbox (agent/src/runtime/outbox.ts); defaults in runtime/outbox-policy.ts. */
export interface OutboxSettings {
  /** Disk cap in MiB (default 64); when full, the oldest messages are dropped and counted. */
  maxMB?: number;
  /** Messages per second when replaying a backlog (default 20). */
  replayRatePerS?: number;
  /** After (re)connecting, replay starts after replayDelayS × (0.5..1, random) (default 5). */
  replayDelayS?: number;
}

export type RebootStep = 'reprobe' | 'reconnect-stream' | 'onvif-reboot' | 'poe-cycle';

export interface MaintenanceWindow {
  /** Weekly window in reboot.timezone: days (default every day), from/to "HH:MM"; to < from wraps midnight. */
  days?: Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'>;
  from?: string;
  to?: string;
  /** One-off window: ISO date-times with offset. */
  start?: string;
  end?: string;
}

/** Automatic camera reboots (agent/src/reboot); every field optional, defaults in reboot/policy.ts. */
export interface RebootSettings {
  enabled?: boolean;
  /** Consecutive cycles with stream-down / frozen on a reachable camera before the ladder starts. */
  afterCycles?: number;
  steps?: RebootStep[];
  /** Segments the agent may reboot (default: camera). */
  segments?: string[];
  minIntervalH?: number;
  maxPerDay?: number;
  siteMaxPerDay?: number;
  siteMaxConcurrent?: number;
  /** Refuse while an uplink device (onu, router, lte-router, gateway) is down or the broker is unreachable. */
  requireUplink?: boolean;
  /** Refuse while any device between the gateway and the camera (its switch) is down. */
  requireParents?: boolean;
  dropTimeoutS?: number;
  verifyTimeoutS?: number;
  /** Pause between the re-probe / reconnect steps (default 5). */
  stepPauseS?: number;
  poeOffS?: number;
  timezone?: string;
  maintenanceWindows?: MaintenanceWindow[];
}

/** Image checks of the grabbed frames (agent/src/runtime/images.ts, docs/image-health.md); defaults there. */
export interface ImageSettings {
  /** Clean frames per mode (day / IR night) before a camera's baseline judges blur and fog (default 12). */
  warmupFrames?: number;
  /** Consecutive frames showing a condition before it is raised (default 3). */
  raiseAfter?: number;
  /** Consecutive clean frames before a raised condition clears (default 3). */
  clearAfter?: number;
  /** A thumbnail of the latest frame at most this often (default 300), and at once when a verdict changes. */
  thumbnailEveryS?: number;
  /** Frames grabbed closer together than this are not compared for `frozen` (default: 60 s or half the rtsp interval, whichever is less). */
  frozenGapS?: number;
}

export interface SiteConfig {
  site: { id: string; name?: string; region?: Region; contractId?: string; address?: string };
  agentId: string;
  /** Id of the device the agent runs on: its sample carries the agent's own metrics (outbox, cycle time). */
  agentDevice?: string;
  devices: AgentDevice[];
  poll: PollSettings;
  mqtt: MqttSettings;
  /** Where the agent keeps its sequence number and outbox. */
  stateDir: string;
  outbox?: OutboxSettings;
  reboot?: RebootSettings;
  image?: ImageSettings;
}
