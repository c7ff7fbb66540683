// Topology validation: every problem names its field (`site.devices[3].parent`).
import { describe, expect, it } from 'vitest';
import type { DeviceSpec, SiteSpec } from '@camfleet/shared';
import { ancestors, buildTopology, descendants, siteIssues } from './topology.ts';

const site = (devices: Partial<DeviceSpec>[]): SiteSpec => ({ id: 's1', devices: devices as DeviceSpec[] });

describe('siteIssues', () => {
  it('accepts a valid tree', () => {
    expect(siteIssues(site([{ id: 'a', segment: 'onu' }, { id: 'b', segment: 'router', parent: 'a' }]))).toEqual([]);
  });

  it('names an unknown parent reference', () => {
    expect(siteIssues(site([
      { id: 'a', segment: 'onu' }, { id: 'b', segment: 'router', parent: 'a' }, { id: 'c', segment: 'switch', parent: 'b' },
      { id: 'd', segment: 'camera', parent: 'sw2' },
    ]))).toEqual([{ field: 'site.devices[3].parent', message: 'no device "sw2"' }]);
  });

  it('names a parent cycle once, on its first device in input order', () => {
    expect(siteIssues(site([
      { id: 'root', segment: 'onu' },
      { id: 'a', segment: 'router', parent: 'c' },
      { id: 'b', segment: 'switch', parent: 'a' },
      { id: 'c', segment: 'switch', parent: 'b' },
      { id: 'd', segment: 'camera', parent: 'c' }, // hangs off the cycle, not part of it
    ]))).toEqual([{ field: 'site.devices[1].parent', message: 'parent cycle: a → c → b → a' }]);
  });

  it('a device that is its own parent is a cycle', () => {
    expect(siteIssues(site([{ id: 'a', segment: 'onu', parent: 'a' }]))).toEqual([
      { field: 'site.devices[0].parent', message: 'parent cycle: a → a' },
    ]);
  });

  it('names duplicate ids, unknown segments and impossible dates', () => {
    const issues = siteIssues(site([
      { id: 'a', segment: 'onu' },
      { id: 'a', segment: 'router' },
      { id: 'b', segment: 'nvr' as DeviceSpec['segment'] },
      { id: 'c', segment: 'camera', shipDate: '2025-02-29' },
    ]));
    expect(issues.map((i) => i.field)).toEqual(['site.devices[1].id', 'site.devices[2].segment', 'site.devices[3].shipDate']);
    expect(issues[0]?.message).toContain('duplicate device id "a"');
    expect(issues[1]?.message).toContain('unknown segment "nvr"');
  });

  it('names a bad region', () => {
    expect(siteIssues({ id: 's', region: 'north' as 'east', devices: [] })).toEqual([
      { field: 'site.region', message: 'must be "east" or "west"' },
    ]);
  });
});

describe('tree queries', () => {
  const topo = buildTopology(site([
    { id: 'gw', segment: 'gateway' },
    { id: 'sw', segment: 'switch', parent: 'gw' },
    { id: 'rt', segment: 'router', parent: 'sw' },
    { id: 'onu', segment: 'onu', parent: 'rt' },
    { id: 'cam1', segment: 'camera', parent: 'sw' },
  ]));

  it('ancestors are nearest first', () => {
    expect(ancestors(topo, 'onu')).toEqual(['rt', 'sw', 'gw']);
    expect(ancestors(topo, 'gw')).toEqual([]);
  });

  it('descendants are breadth-first, siblings in input order', () => {
    expect(descendants(topo, 'gw')).toEqual(['sw', 'rt', 'cam1', 'onu']);
    expect(descendants(topo, 'cam1')).toEqual([]);
  });
});
