// What the agent publishes about its site: the shared SiteSpec, with no credentials and no protocol blocks.
import { DeviceSpecSchema, SiteSpecSchema, type DeviceSpec, type SiteSpec } from '@camfleet/shared';
import type { SiteConfig } from './types.ts';

// Copy by allow-list taken from the shared schema rather than deleting known secrets: a protocol block or
// credential field added later can then never leak by being forgotten here.
const DEVICE_FIELDS = Object.keys(DeviceSpecSchema.properties);
const SITE_FIELDS = Object.keys(SiteSpecSchema.properties).filter((k) => k !== 'devices');

export function toInventory(config: SiteConfig): SiteSpec {
  return {
    ...pick(config.site, SITE_FIELDS),
    id: config.site.id,
    devices: config.devices.map((d) => ({ ...pick(d, DEVICE_FIELDS), id: d.id, segment: d.segment }) as DeviceSpec),
  };
}

function pick(from: object, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (from as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = structuredClone(value);
  }
  return out;
}
