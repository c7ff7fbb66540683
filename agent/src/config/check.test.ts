import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSiteConfig } from './check.ts';
import { formatProblem } from './problems.ts';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)), 'utf8');
const example = (name: string): string => readFileSync(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)), 'utf8');
/** The lines `check` would print, with the file called site.yaml as in CONTRACTS §3. */
const lines = (text: string): string[] => checkSiteConfig(text, 'site.yaml').problems.map(formatProblem);

describe('checkSiteConfig: valid configs', () => {
  it.each(['site.yaml', 'site-lte.yaml'])('accepts the example %s', (name) => {
    const result = checkSiteConfig(example(name), `/etc/camfleet/${name}`);
    expect(result.problems).toEqual([]);
    expect(result.config?.devices.length).toBeGreaterThan(0);
  });

  it('applies every default to a minimal config', () => {
    const { config, problems } = checkSiteConfig(fixture('valid-minimal.yaml'), '/etc/camfleet/site.yaml');
    expect(problems).toEqual([]);
    expect(config).toEqual({
      site: { id: 'mini-01' },
      agentId: 'mini-01-gw',
      devices: [
        { id: 'cam1', segment: 'camera', address: '10.0.0.11', onvif: { port: 80, path: '/onvif/device_service' } },
      ],
      poll: { intervalS: 30, timeoutS: 5 },
      mqtt: { url: 'mqtt://127.0.0.1:1883', keepaliveS: 30 },
      stateDir: '/var/lib/camfleet',
    });
  });

  it('lets YAML anchors share a protocol block (each device gets its own copy)', () => {
    const text = [
      'site: {id: s1}',
      'mqtt: {url: "mqtt://h"}',
      'devices:',
      '  - {id: a, segment: camera, address: 10.0.0.1, onvif: &cred {username: u, password: p}}',
      '  - {id: b, segment: camera, address: 10.0.0.2, onvif: *cred}',
    ].join('\n');
    const devices = checkSiteConfig(text, 'site.yaml').config?.devices ?? [];
    expect(devices[1]?.onvif).toEqual({ port: 80, path: '/onvif/device_service', username: 'u', password: 'p' });
    expect(devices[0]?.onvif).not.toBe(devices[1]?.onvif);
  });

  it('keeps credentials and resolves relative paths against the config file folder', () => {
    const { config } = checkSiteConfig(example('site-lte.yaml'), '/etc/camfleet/site-lte.yaml');
    expect(config?.stateDir).toBe('/etc/camfleet/state');
    expect(config?.agentId).toBe('osaka-works-07-gw');
    expect(config?.mqtt).toMatchObject({ password: 'change-me-too', keepaliveS: 120 });
    expect(config?.devices.find((d) => d.id === 'cam-crane')?.onvif).toEqual({
      port: 8080,
      path: '/onvif/device_service',
      username: 'camfleet',
      password: 'vivo-secret',
    });
    const withFile = 'site: {id: s1}\nmqtt: {url: "mqtt://h", passwordFile: secrets/mqtt.pw}\ndevices: []\n';
    expect(checkSiteConfig(withFile, '/etc/camfleet/site.yaml').config?.mqtt.passwordFile).toBe(
      '/etc/camfleet/secrets/mqtt.pw',
    );
  });
});

describe('checkSiteConfig: each kind of problem, with line and path', () => {
  it('YAML syntax error: the line the quote was opened on, and nothing else', () => {
    expect(lines(fixture('bad-yaml.yaml'))).toEqual(['site.yaml:8 YAML: the " quote opened here is never closed']);
  });

  it('YAML duplicate key and multiple documents', () => {
    expect(lines('site:\n  id: a\n  id: b\n')).toEqual(['site.yaml:3 YAML: the same key appears twice in this mapping']);
    expect(lines('site: {id: a}\n---\nsite: {id: b}\n')).toEqual([
      'site.yaml:2 YAML: more than one YAML document ("---"); a site config is a single document',
    ]);
  });

  it('unknown segment lists the valid ones', () => {
    expect(lines(fixture('unknown-segment.yaml'))).toEqual([
      'site.yaml:9 devices[1].segment: unknown segment "camra"; expected one of: onu, router, switch, camera, gateway, lte-router, third-party-camera, cloud',
    ]);
  });

  it('parent cycles are named, once each, at their first device', () => {
    expect(lines(fixture('parent-cycle.yaml'))).toEqual([
      'site.yaml:10 devices[1].parent: parent cycle: rt1 → sw1 → cam1 → rt1',
      'site.yaml:19 devices[4].parent: parent cycle: cam2 → cam2',
    ]);
  });

  it('parent naming no device (the CONTRACTS §3 example)', () => {
    expect(lines(fixture('missing-parent.yaml'))).toEqual(['site.yaml:16 devices[3].parent: no device "sw2"']);
  });

  it('duplicate device id, reported at the second one', () => {
    expect(lines(fixture('duplicate-id.yaml'))).toEqual([
      'site.yaml:11 devices[2].id: duplicate device id "cam1" (also devices[1])',
    ]);
  });

  it('bad addresses, and a protocol block without an address', () => {
    expect(lines(fixture('bad-address.yaml'))).toEqual([
      'site.yaml:8 devices[0].address: "192.168.1.300" is not an IPv4 address, IPv6 address or host name',
      'site.yaml:12 devices[1].address: "sw_1.local" is not an IPv4 address, IPv6 address or host name',
      'site.yaml:16 devices[2].address: "192.168.1.21:8080" includes a port; give the port in the protocol block (e.g. onvif.port)',
      'site.yaml:17 devices[3].address: required field is missing (onvif needs it)',
    ]);
  });

  it('dates that are malformed or not on the calendar (2024-02-29 is fine)', () => {
    expect(lines(fixture('bad-date.yaml'))).toEqual([
      'site.yaml:8 devices[0].purchaseDate: "2024-02-30" is not a real calendar date',
      'site.yaml:9 devices[0].shipDate: "2024/02/01" is not a date; write it as YYYY-MM-DD',
      'site.yaml:12 devices[1].purchaseDate: "2023-13-01" is not a real calendar date',
    ]);
  });

  it('unknown keys, at any depth, with a suggestion when one is close', () => {
    expect(lines(fixture('unknown-key.yaml'))).toEqual([
      'site.yaml:3 site.regoin: unknown field "regoin" (did you mean "region"?)',
      'site.yaml:9 devices[0].adress: unknown field "adress" (did you mean "address"?)',
      'site.yaml:10 devices[0].modbus: unknown field "modbus"; expected one of: id, segment, parent, name, address, vendor, model, serial, purchaseDate, shipDate, mountHeightM, maintenanceContract, onvif, reachability, rtsp, snmp, poe',
      'site.yaml:12 colour: unknown field "colour"; expected one of: site, agent, mqtt, poll, stateDir, outbox, reboot, image, devices',
    ]);
  });

  it('merge keys are not enabled, and short unknown keys get no far-fetched suggestion', () => {
    expect(lines('site: {id: s1}\nmqtt: {url: "mqtt://h"}\ndevices:\n  - id: a\n    segment: onu\n    <<: {name: x}\n')).toEqual([
      'site.yaml:6 devices[0]["<<"]: unknown field "<<"; expected one of: id, segment, parent, name, address, vendor, model, serial, purchaseDate, shipDate, mountHeightM, maintenanceContract, onvif, reachability, rtsp, snmp, poe',
    ]);
  });

  it('wrong types and out-of-range numbers', () => {
    expect(lines(fixture('wrong-type.yaml'))).toEqual([
      'site.yaml:3 site.region: unknown region "East"; expected one of: east, west',
      'site.yaml:6 mqtt.keepaliveS: expected a whole number, got string "soon"',
      'site.yaml:8 poll.intervalS: expected a number, got string "30"',
      'site.yaml:13 devices[0].serial: expected text, got number 12345; put the value in quotes',
      'site.yaml:14 devices[0].mountHeightM: expected a number, got string "tall"',
      'site.yaml:16 devices[0].onvif.port: 70000 is out of range; expected 1–65535',
      'site.yaml:17 devices[1]: expected a mapping (key: value lines), got string "just-a-string"',
    ]);
  });

  it('missing required fields point at the nearest existing parent', () => {
    expect(lines('# header\nsite:\n  name: x\ndevices:\n  - segment: camera\n')).toEqual([
      'site.yaml:2 mqtt: required field is missing',
      'site.yaml:2 site.id: required field is missing',
      'site.yaml:5 devices[0].id: required field is missing',
    ]);
  });

  it('reports every problem of a file in one pass, sorted by line', () => {
    expect(lines(fixture('many-problems.yaml'))).toEqual([
      'site.yaml:1 site.id: required field is missing',
      'site.yaml:3 site.region: unknown region "north"; expected one of: east, west',
      'site.yaml:5 mqtt.url: "http://broker.example.net" is not a broker URL; expected mqtt://, mqtts://, ws:// or wss://HOST[:PORT]',
      'site.yaml:7 mqtt.passwordFile: give either password or passwordFile, not both',
      'site.yaml:10 poll.timeoutS: timeoutS (10) must be less than intervalS (5)',
      'site.yaml:14 devices[0].parent: no device "cam9"',
      'site.yaml:15 devices[1].id: "cam/1" is not a valid id: use letters, digits, ".", "_" or "-", starting with a letter or digit',
      'site.yaml:17 devices[1].address: "not_a_host" is not an IPv4 address, IPv6 address or host name',
      'site.yaml:18 devices[1].purchaseDate: "2023-02-29" is not a real calendar date',
      'site.yaml:19 devices[2].id: duplicate device id "onu1" (also devices[0])',
    ]);
  });

  it('an empty file or a non-mapping is one clear problem', () => {
    expect(lines('# nothing yet\n')).toEqual(['site.yaml:1 the file is empty; expected site, mqtt and devices']);
    expect(lines('- a\n- b\n')).toEqual(['site.yaml:1 expected a mapping (key: value lines), got a list']);
  });

  it('returns no config when there are problems', () => {
    expect(checkSiteConfig(fixture('missing-parent.yaml'), 'site.yaml').config).toBeUndefined();
  });
});
