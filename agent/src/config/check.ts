// Validates a site config's text in one pass (syntax, schema, cross-references) and builds the
// SiteConfig with defaults. Pure: touches no files, so the CLI, the loader and tests share it.
import { dirname, resolve } from 'node:path';
import { ruleFindings, defaultAgentId, DEFAULT_POLL_INTERVAL_S, DEFAULT_POLL_TIMEOUT_S } from './rules.ts';
import { PROTOCOL_BLOCKS, SiteFileSchema, type DeviceBlock, type SiteFile } from './schema.ts';
import { formatPath, schemaFindings } from './schema-errors.ts';
import { sortProblems, type Problem } from './problems.ts';
import { parseYaml, type PathSegment } from './yaml-source.ts';
import type { AgentDevice, SiteConfig } from './types.ts';

export const DEFAULT_STATE_DIR = '/var/lib/camfleet';
export const DEFAULT_MQTT_KEEPALIVE_S = 30;
export const DEFAULT_ONVIF_PORT = 80;
export const DEFAULT_ONVIF_PATH = '/onvif/device_service';

export interface CheckResult {
  /** Present only when there are no problems. */
  config?: SiteConfig;
  /** Sorted by line. */
  problems: Problem[];
}

/**
 * `fileName` is used verbatim in problems and, resolved against the working directory, as the base for
 * relative `stateDir` / `mqtt.passwordFile`.
 */
export function checkSiteConfig(text: string, fileName: string): CheckResult {
  const { config, problems } = analyseSiteConfig(text, fileName);
  return config ? { config, problems } : { problems };
}

/** checkSiteConfig plus the line lookup, for the loader's own (file-reading) problems. */
export function analyseSiteConfig(
  text: string,
  fileName: string,
): CheckResult & { problemAt(path: PathSegment[], message: string): Problem } {
  const yaml = parseYaml(text);
  const problemAt = (path: PathSegment[], message: string): Problem => ({
    file: fileName,
    line: yaml.lineOf(path),
    path: formatPath(path),
    message,
  });

  // After a syntax error the tree is partial, and schema errors on it would mostly be noise.
  if (yaml.syntaxErrors.length > 0) {
    const problems = yaml.syntaxErrors.map(([line, message]) => ({ file: fileName, line, path: '', message }));
    return { problems, problemAt };
  }
  if (yaml.value === null || yaml.value === undefined) {
    return { problems: [problemAt([], 'the file is empty; expected site, mqtt and devices')], problemAt };
  }

  emptyBlocksOn(yaml.value);
  const findings = [...schemaFindings(SiteFileSchema, yaml.value), ...ruleFindings(yaml.value)];
  const problems = sortProblems(findings.map((f) => problemAt(f.path, f.message)));
  if (problems.length > 0) return { problems, problemAt };
  // No findings means the schema check passed, so the value has the SiteFile shape.
  const config = applyDefaults(yaml.value as SiteFile, dirname(resolve(fileName)));
  return { config, problems, problemAt };
}

/** `onvif:` with nothing under it reads as "use ONVIF with every default", so it becomes `{}`. */
function emptyBlocksOn(value: unknown): void {
  const devices = (value as { devices?: unknown }).devices;
  if (!Array.isArray(devices)) return;
  for (const device of devices as unknown[]) {
    if (device === null || typeof device !== 'object') continue;
    const d = device as Record<string, unknown>;
    for (const key of Object.keys(PROTOCOL_BLOCKS)) if (key in d && d[key] === null) d[key] = {};
  }
}

function applyDefaults(file: SiteFile, baseDir: string): SiteConfig {
  const { mqtt, poll } = file;
  const path = (p: string | undefined) => (p === undefined ? undefined : resolve(baseDir, p));
  // New settings stay absent unless given: the runtime applies their defaults (runtime/schedule.ts,
  // runtime/outbox-policy.ts, reboot/policy.ts), so a loaded config shows exactly what the file says.
  return compact({
    site: compact({ ...file.site }),
    agentId: file.agent?.id ?? defaultAgentId(file.site.id),
    agentDevice: file.agent?.device ?? defaultAgentDevice(file.devices),
    devices: file.devices.map(deviceDefaults),
    poll: compact({
      intervalS: poll?.intervalS ?? DEFAULT_POLL_INTERVAL_S,
      timeoutS: poll?.timeoutS ?? DEFAULT_POLL_TIMEOUT_S,
      jitterS: poll?.jitterS,
      concurrency: poll?.concurrency,
      perDeviceConcurrency: poll?.perDeviceConcurrency,
      probes: poll?.probes === undefined ? undefined : structuredClone(poll.probes),
    }),
    mqtt: compact({
      url: mqtt.url,
      username: mqtt.username,
      password: mqtt.password,
      passwordFile: path(mqtt.passwordFile),
      keepaliveS: mqtt.keepaliveS ?? DEFAULT_MQTT_KEEPALIVE_S,
      caFile: path(mqtt.caFile),
      certFile: path(mqtt.certFile),
      keyFile: path(mqtt.keyFile),
    }),
    // Relative to the config file, not to wherever the agent happens to be started from.
    stateDir: resolve(baseDir, file.stateDir ?? DEFAULT_STATE_DIR),
    outbox: file.outbox === undefined ? undefined : compact({ ...file.outbox }),
    reboot: file.reboot === undefined ? undefined : structuredClone(file.reboot),
    image: file.image === undefined ? undefined : compact({ ...file.image }),
  });
}

/** The agent runs on the site gateway: with exactly one device of segment gateway, that one. */
function defaultAgentDevice(devices: readonly DeviceBlock[]): string | undefined {
  const gateways = devices.filter((d) => d.segment === 'gateway');
  return gateways.length === 1 ? gateways[0]?.id : undefined;
}

function deviceDefaults(block: DeviceBlock): AgentDevice {
  const device: AgentDevice = structuredClone(block);
  if (device.onvif) {
    device.onvif = { port: DEFAULT_ONVIF_PORT, path: DEFAULT_ONVIF_PATH, ...compact(device.onvif) };
  }
  return device;
}

/** Drops keys whose value is undefined, so configs compare and serialise cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
