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
}

export interface PollSettings {
  /** Seconds between poll cycles. */
  intervalS: number;
  /** Hard timeout for one probe of one device. */
  timeoutS: number;
}

export interface SiteConfig {
  site: { id: string; name?: string; region?: Region; contractId?: string; address?: string };
  agentId: string;
  devices: AgentDevice[];
  poll: PollSettings;
  mqtt: MqttSettings;
  /** Where the agent keeps its sequence number and outbox. */
  stateDir: string;
}
