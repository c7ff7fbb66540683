import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkCommand } from './check.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const FIXTURES = here('../config/fixtures/');

// The examples hold inline camera passwords, and git checks them out group/world-readable; a site config
// with credentials must be 0600 (issue 8 §3), as an installer copies it. So the tests check 0600 copies.
const examples = mkdtempSync(join(tmpdir(), 'camfleet-check-examples-'));
function privateCopy(name: string): string {
  const to = join(examples, name);
  copyFileSync(here(`../../examples/${name}`), to);
  chmodSync(to, 0o600);
  return to;
}
const EXAMPLE = privateCopy('site.yaml');
const LTE = privateCopy('site-lte.yaml');

/** Runs the command, capturing what it writes to stdout and stderr as lines. */
async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  vi.spyOn(process.stderr, 'write').mockImplementation(capture(err));
  const code = await checkCommand(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('camfleet-agent check', () => {
  it('valid: exit 0, one summary line on stdout, nothing on stderr', async () => {
    expect(await run(EXAMPLE)).toEqual({
      code: 0,
      out: [`${EXAMPLE}: ok — site tokyo-shop-01, 7 devices (1 onu, 1 router, 1 switch, 2 cameras, 1 gateway, 1 third-party-camera)`],
      err: [],
    });
    expect((await run(LTE)).out).toEqual([`${LTE}: ok — site osaka-works-07, 4 devices (2 cameras, 1 gateway, 1 lte-router)`]);
  });

  it('names the file exactly as given on the command line', async () => {
    const given = relative(process.cwd(), join(FIXTURES, 'missing-parent.yaml'));
    const result = await run(given);
    expect(result).toEqual({ code: 1, out: [], err: [`${given}:16 devices[3].parent: no device "sw2"`] });
  });

  it('invalid: exit 1, one line per problem on stderr, sorted by line', async () => {
    const file = join(FIXTURES, 'many-problems.yaml');
    const { code, out, err } = await run(file);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(10);
    expect(err[0]).toBe(`${file}:1 site.id: required field is missing`);
    const lines = err.map((l) => Number(/^.*?:(\d+) /.exec(l)?.[1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it.each(['bad-yaml', 'unknown-segment', 'parent-cycle', 'duplicate-id', 'bad-address', 'bad-date', 'unknown-key', 'wrong-type'])(
    '%s.yaml: exit 1 with FILE:LINE lines and no stack trace',
    async (name) => {
      const file = join(FIXTURES, `${name}.yaml`);
      const { code, err } = await run(file);
      expect(code).toBe(1);
      expect(err.length).toBeGreaterThan(0);
      for (const line of err) expect(line).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+ \\S`));
      expect(err.join('\n')).not.toMatch(/\n\s+at |Error:/);
    },
  );

  it('missing or unreadable file: exit 2 with one line naming it', async () => {
    expect(await run('no/such/site.yaml')).toEqual({ code: 2, out: [], err: ['no/such/site.yaml: cannot read: no such file'] });
    expect(await run(FIXTURES)).toEqual({ code: 2, out: [], err: [`${FIXTURES}: cannot read: is a directory`] });
  });

  it('a missing mqtt.passwordFile fails the check like it would fail the agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'camfleet-check-'));
    const file = join(dir, 'site.yaml');
    writeFileSync(file, 'site: {id: s1}\nmqtt:\n  url: mqtt://h\n  passwordFile: mqtt.pw\ndevices: []\n');
    expect(await run(file)).toEqual({
      code: 1,
      out: [],
      err: [`${file}:4 mqtt.passwordFile: cannot read "${join(dir, 'mqtt.pw')}": no such file`],
    });
    writeFileSync(join(dir, 'mqtt.pw'), 'pw\n', { mode: 0o600 });
    expect((await run(file)).code).toBe(0);
  });

  it('a site config with credentials that others can read: exit 1, one line naming it, its mode and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'camfleet-check-'));
    const file = join(dir, 'site.yaml');
    copyFileSync(EXAMPLE, file);
    chmodSync(file, 0o644);
    expect(await run(file)).toEqual({
      code: 1,
      out: [],
      err: [`${file}: holds credentials (mqtt.password, devices[3].onvif.password, …) but its mode 0644 lets others read it; run chmod 600 ${file}`],
    });
    chmodSync(file, 0o600);
    expect((await run(file)).code).toBe(0);
  });

  it('an open password file is reported at its config line, the password never shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'camfleet-check-'));
    const file = join(dir, 'site.yaml');
    writeFileSync(file, 'site: {id: s1}\nmqtt:\n  url: mqtt://h\n  passwordFile: mqtt.pw\ndevices: []\n');
    writeFileSync(join(dir, 'mqtt.pw'), 'pw-Zq7kLeak9\n', { mode: 0o640 });
    chmodSync(join(dir, 'mqtt.pw'), 0o664); // mode: is filtered by the umask
    const result = await run(file);
    expect(result).toEqual({
      code: 1,
      out: [],
      err: [`${file}:4 mqtt.passwordFile: "${join(dir, 'mqtt.pw')}" holds the broker password but its mode 0664 lets group and others read it; run chmod 600 ${join(dir, 'mqtt.pw')}`],
    });
  });

  it('usage errors: exit 2 with the usage line; --help: exit 0', async () => {
    const usage = { code: 2, out: [], err: ['usage: camfleet-agent check SITE.yaml'] };
    expect(await run()).toEqual(usage);
    expect(await run(EXAMPLE, LTE)).toEqual(usage);
    expect(await run('--verbose')).toEqual(usage);
    expect(await run('-')).toEqual(usage);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out[0]).toBe('usage: camfleet-agent check SITE.yaml');
  });
});
