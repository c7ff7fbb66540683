import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
    writeFileSync(join(dir, name), text);
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
});
