// The runtime settings added for issue 3: scheduler, outbox, reboot policy, TLS files, agent.device.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSiteConfig } from './check.ts';
import { loadSiteConfig } from './load.ts';
import { ConfigError, formatProblem } from './problems.ts';

const BASE = ['site: {id: s1}', 'devices:', '  - {id: gw, segment: gateway, address: 10.0.0.1}', '  - {id: cam1, segment: camera, parent: gw, address: 10.0.0.2, onvif: {}}'];
const lines = (...extra: string[]) => checkSiteConfig([...BASE, ...extra].join('\n'), 'site.yaml').problems.map(formatProblem);

describe('runtime settings in the site config', () => {
  it('accepts every new key and keeps them as written (the runtime applies the defaults)', () => {
    const { config, problems } = checkSiteConfig(
      [
        ...BASE,
        'agent: {device: gw}',
        'mqtt: {url: "mqtts://broker:8883", caFile: ca.pem}',
        'poll:',
        '  intervalS: 30',
        '  jitterS: 3',
        '  concurrency: 32',
        '  perDeviceConcurrency: 1',
        '  probes: {onvif: {intervalS: 300, timeoutS: 8}, rtsp: {enabled: false}}',
        'outbox: {maxMB: 16, replayRatePerS: 10, replayDelayS: 30}',
        'reboot:',
        '  afterCycles: 4',
        '  steps: [reprobe, onvif-reboot]',
        '  minIntervalH: 12',
        '  siteMaxPerDay: 5',
        '  timezone: Asia/Tokyo',
        '  maintenanceWindows:',
        '    - {days: [sat, sun], from: "22:00", to: "06:00"}',
        '    - {start: "2026-12-01T00:00:00+09:00", end: "2026-12-01T06:00:00+09:00"}',
      ].join('\n'),
      '/etc/camfleet/site.yaml',
    );
    expect(problems).toEqual([]);
    expect(config?.agentDevice).toBe('gw');
    expect(config?.mqtt.caFile).toBe('/etc/camfleet/ca.pem');
    expect(config?.poll).toEqual({ intervalS: 30, timeoutS: 5, jitterS: 3, concurrency: 32, perDeviceConcurrency: 1, probes: { onvif: { intervalS: 300, timeoutS: 8 }, rtsp: { enabled: false } } });
    expect(config?.outbox).toEqual({ maxMB: 16, replayRatePerS: 10, replayDelayS: 30 });
    expect(config?.reboot?.maintenanceWindows).toHaveLength(2);
  });

  it('defaults agent.device to the only gateway', () => {
    expect(checkSiteConfig([...BASE, 'mqtt: {url: "mqtt://h"}'].join('\n'), 'site.yaml').config?.agentDevice).toBe('gw');
  });

  it('reports each mistake at its line', () => {
    expect(
      lines(
        'agent: {device: gw2}',
        'mqtt: {url: "mqtt://broker", caFile: ca.pem, certFile: c.pem}',
        'poll: {intervalS: 30, jitterS: 30, probes: {onvif: {intervalS: 10, timeoutS: 40}, rtps: {}}}',
        'reboot:',
        '  steps: [reprobe, reprobe, reboot]',
        '  timezone: Tokyo/Shibuya',
        '  maxPerdDay: 3',
        '  maintenanceWindows:',
        '    - {from: "25:00", to: "03:00"}',
        '    - {from: "01:00"}',
        '    - {start: "2026-12-02T00:00:00+09:00", end: "2026-12-01T00:00:00+09:00"}',
        '    - {}',
      ),
    ).toEqual([
      'site.yaml:5 agent.device: no device "gw2"',
      'site.yaml:6 mqtt.caFile: TLS files need an mqtts:// or wss:// url (url is "mqtt://broker")',
      'site.yaml:6 mqtt.certFile: TLS files need an mqtts:// or wss:// url (url is "mqtt://broker")',
      'site.yaml:6 mqtt.certFile: a client certificate needs both certFile and keyFile (keyFile is missing)',
      'site.yaml:7 poll.probes.rtps: unknown field "rtps"; expected one of: reachability, onvif, rtsp, snmp, gateway',
      'site.yaml:7 poll.jitterS: jitterS (30) must be less than intervalS (30)',
      'site.yaml:7 poll.probes.onvif.intervalS: 10 is shorter than the poll cycle (poll.intervalS 30); a probe runs at most once a cycle',
      'site.yaml:7 poll.probes.onvif.timeoutS: timeoutS (40) must be less than poll.intervalS (30)',
      'site.yaml:9 reboot.steps[2]: unknown value "reboot"; expected one of: reprobe, reconnect-stream, onvif-reboot, poe-cycle',
      'site.yaml:9 reboot.steps[1]: "reprobe" is listed twice',
      'site.yaml:10 reboot.timezone: "Tokyo/Shibuya" is not an IANA time zone (e.g. Asia/Tokyo)',
      'site.yaml:11 reboot.maxPerdDay: unknown field "maxPerdDay" (did you mean "maxPerDay"?)',
      'site.yaml:13 reboot.maintenanceWindows[0].from: "25:00" is not a time of day as HH:MM (00:00–23:59)',
      'site.yaml:14 reboot.maintenanceWindows[1].to: a weekly window needs both from and to',
      'site.yaml:15 reboot.maintenanceWindows[2].end: end must be after start',
      'site.yaml:16 reboot.maintenanceWindows[3]: give from and to (weekly, optional days) or start and end (one-off)',
    ]);
  });

  it('reads the TLS files at load time, and names an unreadable or non-PEM one at its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'camfleet-tls-'));
    const yaml = (ca: string) => [...BASE, `mqtt: {url: "mqtts://broker", caFile: ${ca}}`].join('\n');
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'junk.pem'), 'hello');
    writeFileSync(join(dir, 'good.yaml'), yaml('ca.pem'));
    writeFileSync(join(dir, 'junk.yaml'), yaml('junk.pem'));
    writeFileSync(join(dir, 'none.yaml'), yaml('none.pem'));
    expect((await loadSiteConfig(join(dir, 'good.yaml'))).mqtt.ca).toContain('BEGIN CERTIFICATE');
    const problem = async (f: string) => ((await loadSiteConfig(join(dir, f)).catch((e: unknown) => e)) as ConfigError).lines();
    expect(await problem('junk.yaml')).toEqual([`${join(dir, 'junk.yaml')}:5 mqtt.caFile: cannot read "${join(dir, 'junk.pem')}": not a PEM file (no "-----BEGIN" line)`]);
    expect(await problem('none.yaml')).toEqual([`${join(dir, 'none.yaml')}:5 mqtt.caFile: cannot read "${join(dir, 'none.pem')}": no such file`]);
  });
});
