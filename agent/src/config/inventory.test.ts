import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { SiteSpecSchema } from '@camfleet/shared';
import { describe, expect, it } from 'vitest';
import { checkSiteConfig } from './check.ts';
import { toInventory } from './inventory.ts';
import type { SiteConfig } from './types.ts';

function load(name: string): SiteConfig {
  const path = fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
  const { config, problems } = checkSiteConfig(readFileSync(path, 'utf8'), path);
  if (!config) throw new Error(problems.map((p) => p.message).join('\n'));
  return config;
}

describe('toInventory', () => {
  it.each(['site.yaml', 'site-lte.yaml'])('publishes %s with no credential or protocol block anywhere', (name) => {
    const config = load(name);
    const json = JSON.stringify(toInventory(config));
    const secrets = [config.mqtt.password, ...config.devices.flatMap((d) => [d.onvif?.password, d.onvif?.username])];
    expect(secrets.filter(Boolean).length).toBeGreaterThan(1);
    for (const secret of secrets) if (secret) expect(json).not.toContain(secret);
    expect(json).not.toMatch(/password|username|onvif|mqtt/i);
  });

  it('is a valid shared SiteSpec that keeps every inventory field', () => {
    const inventory = toInventory(load('site.yaml'));
    expect(Value.Check(SiteSpecSchema, inventory)).toBe(true);
    expect(inventory).toMatchObject({ id: 'tokyo-shop-01', region: 'east', contractId: 'GRC0012345' });
    expect(inventory.devices.find((d) => d.id === 'cam-entrance')).toEqual({
      id: 'cam-entrance',
      segment: 'camera',
      parent: 'sw1',
      name: 'Entrance',
      address: '192.168.10.21',
      vendor: 'i-PRO',
      model: 'WV-S1136',
      serial: '0123456',
      purchaseDate: '2023-04-12',
      shipDate: '2023-04-05',
      mountHeightM: 3.2,
      maintenanceContract: 'ipro-partner',
    });
  });

  it('does not share objects with the config (publishing cannot mutate it)', () => {
    const config = load('site.yaml');
    const inventory = toInventory(config);
    inventory.devices[0]!.name = 'changed';
    expect(config.devices[0]!.name).not.toBe('changed');
  });
});
