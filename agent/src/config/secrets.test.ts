// The mode rule for secrets files (issue 8 §3), judged on mode bits and ownership alone.
import { describe, expect, it } from 'vitest';
import { chmodFix, exposure, inlineCredentials, modeProblem, octalMode } from './secrets.ts';
import type { SiteConfig } from './types.ts';

const AGENT = { gids: [998] };
const file = (mode: number, uid = 998, gid = 998) => ({ mode: 0o100000 | mode, uid, gid });

describe('exposure', () => {
  it.each([
    [0o600, undefined],
    [0o400, undefined],
    [0o700, undefined],
    [0o640, 'group'],
    [0o620, 'group'],
    [0o604, 'others'],
    [0o601, 'others'],
    [0o644, 'group and others'],
    [0o666, 'group and others'],
  ])('mode %o owned by the agent: %s', (mode, expected) => {
    expect(exposure(file(mode), AGENT)).toBe(expected);
  });

  it('root may grant read, and only read, to the agent\'s own group', () => {
    expect(exposure(file(0o640, 0, 998), AGENT)).toBeUndefined();
    expect(exposure(file(0o440, 0, 998), AGENT)).toBeUndefined();
    expect(exposure(file(0o660, 0, 998), AGENT)).toBe('group');
    expect(exposure(file(0o640, 0, 100), AGENT)).toBe('group'); // e.g. `users`
    expect(exposure(file(0o640, 1000, 998), AGENT)).toBe('group'); // not root's grant
    expect(exposure(file(0o644, 0, 998), AGENT)).toBe('others');
    // Run as root, the installer's camfleet group (here 998) counts beside root's own.
    expect(exposure(file(0o640, 0, 998), { gids: [0, 998] })).toBeUndefined();
    expect(exposure(file(0o640, 0, 100), { gids: [0, 998] })).toBe('group');
  });
});

describe('messages', () => {
  it('name the mode as chmod takes it and the fix, quoting odd paths for the shell', () => {
    expect(octalMode(0o100644)).toBe('0644');
    expect(octalMode(0o40755)).toBe('0755');
    expect(chmodFix('/etc/camfleet/site.yaml')).toBe('chmod 600 /etc/camfleet/site.yaml');
    expect(chmodFix("/tmp/my site's.yaml")).toBe(`chmod 600 '/tmp/my site'\\''s.yaml'`);
    expect(modeProblem('k.pem', file(0o644), '"k.pem" holds a private key', AGENT)).toBe('"k.pem" holds a private key but its mode 0644 lets group and others read it; run chmod 600 k.pem');
    expect(modeProblem('k.pem', file(0o600), 'x', AGENT)).toBeUndefined();
  });
});

describe('inlineCredentials', () => {
  const config = (devices: unknown[], mqtt: object = {}) => ({ mqtt: { url: 'mqtt://h', keepaliveS: 30, ...mqtt }, devices }) as unknown as SiteConfig;

  it('finds every inline credential and nothing in a credential-free config', () => {
    expect(inlineCredentials(config([{ id: 'gw', segment: 'gateway', onvif: { username: 'u' } }]))).toEqual([]);
    expect(inlineCredentials(config([{ id: 'c', rtsp: { url: 'rtsp://cam/live' } }]))).toEqual([]);
    expect(inlineCredentials(config([
      { id: 'a', onvif: { password: 'p' }, rtsp: { url: 'rtsp://u:p@cam/x', password: 'p' } },
      { id: 'b', snmp: { community: 'c', writeCommunity: 'w' } },
    ], { password: 'm' }))).toEqual([
      'mqtt.password', 'devices[0].onvif.password', 'devices[0].rtsp.password', 'devices[0].rtsp.url', 'devices[1].snmp.community', 'devices[1].snmp.writeCommunity',
    ]);
    expect(inlineCredentials(config([], { url: 'mqtts://shop-1:pw@broker:8883' }))).toEqual(['mqtt.url']);
    // A password read from passwordFile is not in the config file.
    expect(inlineCredentials(config([], { password: 'from-file', passwordFile: '/etc/camfleet/mqtt.password' }))).toEqual([]);
  });
});

describe('problems never show a credential', () => {
  it('masks a value echoed back for a credential field, and anything credential-shaped elsewhere', async () => {
    const { formatProblem } = await import('./problems.ts');
    expect(formatProblem({ file: 's.yaml', line: 7, path: 'devices[0].onvif.password', message: 'expected a string, got number 20250101; put the value in quotes' }))
      .toBe('s.yaml:7 devices[0].onvif.password: expected a string, got number ***; put the value in quotes');
    expect(formatProblem({ file: 's.yaml', line: 8, path: 'devices[0].snmp.community', message: '"pr1vate-c0mm" is longer than 128 characters' }))
      .toBe('s.yaml:8 devices[0].snmp.community: "***" is longer than 128 characters');
    expect(formatProblem({ file: 's.yaml', line: 9, path: 'devices[0].rtsp.url', message: '"rtsp://u:Zq7kLeak9@cam" is not a valid URL' }))
      .toBe('s.yaml:9 devices[0].rtsp.url: "rtsp://u:***@cam" is not a valid URL');
    // Other fields keep their values: they are what the operator needs to fix.
    expect(formatProblem({ file: 's.yaml', line: 3, path: 'devices[3].parent', message: 'no device "sw2"' })).toBe('s.yaml:3 devices[3].parent: no device "sw2"');
  });
});
