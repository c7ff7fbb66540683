// Gateway self-check on this machine's real /proc and /sys, plus the parsers on fixed kernel output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentDevice } from '../../config/types.ts';
import { collectGatewayMetrics, configureGatewayProbe, gatewayProbe, memoryUsedPct, parseCpuTimes } from './probe.ts';

const gw = (address?: string): AgentDevice => ({ id: 'gw', segment: 'gateway', ...(address ? { address } : {}) });
const PERCENTS = ['cpuPct', 'memUsedPct', 'diskUsedPct'] as const;

const tempDirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};

afterEach(() => {
  configureGatewayProbe({});
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('gatewayProbe', () => {
  it('applies to the gateway device at a loopback address only', () => {
    for (const a of ['127.0.0.1', 'localhost', '::1', '127.0.1.1']) expect(gatewayProbe.appliesTo(gw(a))).toBe(true);
    expect(gatewayProbe.appliesTo(gw('192.168.10.5'))).toBe(false);
    expect(gatewayProbe.appliesTo(gw())).toBe(false);
    expect(gatewayProbe.appliesTo({ id: 'sw', segment: 'switch', address: '127.0.0.1' })).toBe(false);
  });

  it('applies to the gateway the runtime names as the agent device, whatever its address', () => {
    configureGatewayProbe({ deviceId: 'gw' });
    expect(gatewayProbe.appliesTo(gw('192.168.10.5'))).toBe(true);
    expect(gatewayProbe.appliesTo({ id: 'gw2', segment: 'gateway', address: '192.168.10.6' })).toBe(false);
  });

  it('reports sane health figures of this machine, with the outbox depth the runtime gives it', async () => {
    const stateDir = tempDir('gw-state-');
    configureGatewayProbe({ stateDir, outboxDepth: () => 7 });
    const r = await gatewayProbe.run({ device: gw('127.0.0.1'), timeoutMs: 2000, signal: new AbortController().signal });
    expect(r.reachable).toBe(true);
    expect(r.conditions).toEqual([]);
    const m = r.metrics ?? {};
    for (const key of PERCENTS) {
      expect(m[key], key).toBeGreaterThanOrEqual(0);
      expect(m[key], key).toBeLessThanOrEqual(100);
    }
    expect(m.load1).toBeGreaterThanOrEqual(0);
    expect(m.uptimeS).toBeGreaterThan(0);
    expect(m.outboxDepth).toBe(7);
    if (m.tempC !== undefined) expect(m.tempC).toBeGreaterThan(-40); // only where a thermal zone is readable
    for (const key of Object.keys(m)) expect(['cpuPct', 'load1', 'memUsedPct', 'diskUsedPct', 'tempC', 'uptimeS', 'outboxDepth']).toContain(key);
  });

  it('measures the disk of a state dir that does not exist yet by its nearest parent', async () => {
    const missing = path.join(os.tmpdir(), 'camfleet-no-such-dir', 'state');
    const m = await collectGatewayMetrics(undefined, { stateDir: missing, sampleMs: 10 });
    expect(m.diskUsedPct).toBeGreaterThanOrEqual(0);
    expect(m.outboxDepth).toBeUndefined();
  });
});

describe('gateway metric sources', () => {
  it('computes CPU busy time from /proc/stat, counting iowait as idle', () => {
    const stat = 'cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\nintr 1\n';
    expect(parseCpuTimes(stat)).toEqual([150, 1000]);
    expect(parseCpuTimes('intr 1\n')).toBeUndefined();
  });

  it('computes memory in use from MemAvailable, or from free + buffers + cache without it', () => {
    expect(memoryUsedPct('MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n')).toBe(75);
    expect(memoryUsedPct('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 200 kB\n')).toBe(60);
    expect(memoryUsedPct('nothing')).toBeUndefined();
  });

  it('reads the hottest plausible thermal zone and the other figures from fixture /proc and /sys trees', async () => {
    const root = tempDir('gw-fixture-');
    const proc = path.join(root, 'proc');
    const thermal = path.join(root, 'sys', 'class', 'thermal');
    mkdirSync(proc, { recursive: true });
    writeFileSync(path.join(proc, 'stat'), 'cpu  100 0 100 800 0 0 0 0 0 0\n');
    writeFileSync(path.join(proc, 'loadavg'), '0.42 0.30 0.20 1/100 1234\n');
    writeFileSync(path.join(proc, 'meminfo'), 'MemTotal: 2000 kB\nMemAvailable: 500 kB\n');
    writeFileSync(path.join(proc, 'uptime'), '12345.67 999.00\n');
    for (const [zone, milli] of [['thermal_zone0', '48500'], ['thermal_zone1', '61250'], ['thermal_zone2', '-273000']]) {
      mkdirSync(path.join(thermal, zone!), { recursive: true });
      writeFileSync(path.join(thermal, zone!, 'temp'), `${milli}\n`);
    }
    mkdirSync(path.join(thermal, 'thermal_zone3')); // no temp file: unreadable zones are skipped
    const m = await collectGatewayMetrics(0, { procDir: proc, sysDir: path.join(root, 'sys'), stateDir: root, sampleMs: 10 });
    expect(m).toMatchObject({ load1: 0.42, memUsedPct: 75, tempC: 61.3, uptimeS: 12345, outboxDepth: 0 });
    expect(m.cpuPct).toBeUndefined(); // a /proc/stat that did not move between the two reads measures nothing
  });
});
