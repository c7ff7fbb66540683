import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSiteConfig } from './load.ts';
import { ConfigError } from './problems.ts';

const BASE = 'site:\n  id: s1\ndevices: []\nmqtt:\n  url: mqtt://127.0.0.1\n';

function siteDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'camfleet-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    // Private by default, as secrets files must be (issue 8 §3); the mode tests open them up on purpose.
    writeFileSync(join(dir, name), text, { mode: 0o600 });
  }
  return dir;
}

async function loadError(path: string): Promise<ConfigError> {
  const err: unknown = await loadSiteConfig(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(err)}`);
  return err;
}

describe('loadSiteConfig', () => {
  it('reads passwordFile relative to the config file, dropping one trailing newline', async () => {
    const dir = siteDir({
      'site.yaml': `${BASE}  passwordFile: secrets/mqtt.pw\nstateDir: state\n`,
      'secrets/mqtt.pw': 's3cret\n',
    });
    const config = await loadSiteConfig(join(dir, 'site.yaml'));
    expect(config.mqtt.password).toBe('s3cret');
    expect(config.mqtt.passwordFile).toBe(join(dir, 'secrets/mqtt.pw'));
    expect(config.stateDir).toBe(join(dir, 'state'));
  });

  it('a missing or empty password file is a problem at the passwordFile line', async () => {
    const dir = siteDir({ 'site.yaml': `${BASE}  passwordFile: nope.pw\n`, 'empty.yaml': `${BASE}  passwordFile: e.pw\n`, 'e.pw': '\n' });
    const missing = await loadError(join(dir, 'site.yaml'));
    expect(missing.kind).toBe('invalid');
    expect(missing.lines()).toEqual([`${join(dir, 'site.yaml')}:6 mqtt.passwordFile: cannot read "${join(dir, 'nope.pw')}": no such file`]);
    const empty = await loadError(join(dir, 'empty.yaml'));
    expect(empty.lines()).toEqual([`${join(dir, 'empty.yaml')}:6 mqtt.passwordFile: cannot read "${join(dir, 'e.pw')}": the file is empty`]);
  });

  it('throws an invalid ConfigError carrying every problem, named with the path as given', async () => {
    const dir = siteDir({ 'site.yaml': 'site:\n  id: s/1\nmqtt:\n  url: mqtt://h\ndevices:\n  - id: a\n    segment: camra\n' });
    const err = await loadError(join(dir, 'site.yaml'));
    expect(err.kind).toBe('invalid');
    expect(err.problems.map((p) => [p.line, p.path])).toEqual([
      [2, 'site.id'],
      [7, 'devices[0].segment'],
    ]);
    expect(err.problems.every((p) => p.file === join(dir, 'site.yaml'))).toBe(true);
    expect(err.message.split('\n')).toEqual(err.lines());
  });

  it('an unreadable file is an "unreadable" ConfigError with one line and no stack', async () => {
    const dir = siteDir({});
    const missing = await loadError(join(dir, 'absent.yaml'));
    expect(missing.kind).toBe('unreadable');
    expect(missing.lines()).toEqual([`${join(dir, 'absent.yaml')}: cannot read: no such file`]);
    expect((await loadError(dir)).lines()).toEqual([`${dir}: cannot read: is a directory`]);
  });

  it.skipIf(process.getuid?.() === 0)('a file without read permission is unreadable', async () => {
    const dir = siteDir({ 'site.yaml': BASE });
    chmodSync(join(dir, 'site.yaml'), 0o000);
    expect((await loadError(join(dir, 'site.yaml'))).lines()).toEqual([`${join(dir, 'site.yaml')}: cannot read: permission denied`]);
  });

  describe('secrets files must be closed to group and others (issue 8 §3)', () => {
    const CAMERA = `${BASE.replace('devices: []\n', '')}devices:\n  - id: cam1\n    segment: camera\n    address: 127.0.0.1\n    onvif: { username: u, password: Zq7kLeak9 }\n`;
    const KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n';
    const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const TLS = BASE.replace('mqtt://', 'mqtts://');

    it('refuses a config with an inline password that others can read, naming file, mode and fix', async () => {
      const dir = siteDir({ 'site.yaml': CAMERA });
      const file = join(dir, 'site.yaml');
      chmodSync(file, 0o644);
      const err = await loadError(file);
      expect(err.kind).toBe('invalid');
      expect(err.lines()).toEqual([`${file}: holds credentials (devices[0].onvif.password) but its mode 0644 lets others read it; run chmod 600 ${file}`]);
      expect(err.message).not.toContain('Zq7kLeak9');
      chmodSync(file, 0o600);
      await expect(loadSiteConfig(file)).resolves.toMatchObject({ site: { id: 's1' } });
      chmodSync(file, 0o400);
      await expect(loadSiteConfig(file)).resolves.toMatchObject({ site: { id: 's1' } });
    });

    it('a config without credentials may be world-readable', async () => {
      const dir = siteDir({ 'site.yaml': BASE });
      chmodSync(join(dir, 'site.yaml'), 0o644);
      await expect(loadSiteConfig(join(dir, 'site.yaml'))).resolves.toMatchObject({ site: { id: 's1' } });
    });

    it.each([
      ['rtsp password', '    rtsp: { username: u, password: p }\n', 'devices[0].rtsp.password'],
      ['rtsp URL with userinfo', '    rtsp: { url: "rtsp://u:p@cam/live" }\n', 'devices[0].rtsp.url'],
      ['SNMP community', '    snmp: { community: c0mm }\n', 'devices[0].snmp.community'],
      ['SNMP write community', '    snmp: { writeCommunity: c0mm }\n', 'devices[0].snmp.writeCommunity'],
    ])('counts an inline %s as a credential', async (_what, block, path) => {
      const dir = siteDir({ 'site.yaml': `${BASE.replace('devices: []\n', '')}devices:\n  - id: cam1\n    segment: camera\n    address: 127.0.0.1\n${block}` });
      chmodSync(join(dir, 'site.yaml'), 0o604);
      expect((await loadError(join(dir, 'site.yaml'))).lines()[0]).toContain(`holds credentials (${path}) but its mode 0604 lets others read it`);
    });

    it('refuses an open password file and private key at their lines, all in one error; a CA may be public', async () => {
      const yaml = `${TLS}  passwordFile: mqtt.pw\n  caFile: ca.pem\n  certFile: client.pem\n  keyFile: client.key\n`;
      const dir = siteDir({ 'site.yaml': yaml, 'mqtt.pw': 'pw\n', 'ca.pem': CERT, 'client.pem': CERT, 'client.key': KEY });
      chmodSync(join(dir, 'ca.pem'), 0o644);
      chmodSync(join(dir, 'client.pem'), 0o644);
      chmodSync(join(dir, 'mqtt.pw'), 0o640);
      chmodSync(join(dir, 'client.key'), 0o660);
      // As root the files are root's and in root's group, which the root-and-own-group rule allows for 0640:
      // give them another group so the group bit means what it means for any agent.
      if (process.getuid?.() === 0) for (const f of ['mqtt.pw', 'client.key']) chownSync(join(dir, f), 0, 65534);
      const file = join(dir, 'site.yaml');
      expect((await loadError(file)).lines()).toEqual([
        `${file}:6 mqtt.passwordFile: "${join(dir, 'mqtt.pw')}" holds the broker password but its mode 0640 lets group read it; run chmod 600 ${join(dir, 'mqtt.pw')}`,
        `${file}:9 mqtt.keyFile: "${join(dir, 'client.key')}" holds a private key but its mode 0660 lets group read it; run chmod 600 ${join(dir, 'client.key')}`,
      ]);
      chmodSync(join(dir, 'mqtt.pw'), 0o400);
      chmodSync(join(dir, 'client.key'), 0o600);
      await expect(loadSiteConfig(file)).resolves.toMatchObject({ mqtt: { password: 'pw', key: KEY, ca: CERT } });
    });

    it('a certificate file with its private key appended counts as a key', async () => {
      const dir = siteDir({ 'site.yaml': `${TLS}  certFile: both.pem\n  keyFile: both.pem\n`, 'both.pem': CERT + KEY });
      chmodSync(join(dir, 'both.pem'), 0o644);
      const lines = (await loadError(join(dir, 'site.yaml'))).lines();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain('mqtt.certFile: ');
      expect(lines[0]).toContain('holds a private key but its mode 0644 lets others read it');
    });

    it.runIf(process.getuid?.() === 0)('root may grant read to the agent\'s own group (the installer\'s root:camfleet 0640), no other group', async () => {
      const dir = siteDir({ 'site.yaml': CAMERA });
      const file = join(dir, 'site.yaml');
      chmodSync(file, 0o640);
      chownSync(file, 0, process.getegid?.() ?? 0);
      await expect(loadSiteConfig(file)).resolves.toMatchObject({ site: { id: 's1' } });
      chownSync(file, 0, 65534);
      expect((await loadError(file)).lines()).toEqual([`${file}: holds credentials (devices[0].onvif.password) but its mode 0640 lets group read it; run chmod 600 ${file}`]);
      chownSync(file, 65534, process.getegid?.() ?? 0); // the same mode from another owner is not root's grant
      expect((await loadError(file)).lines()[0]).toContain('mode 0640 lets group read it');
    });
  });
});
