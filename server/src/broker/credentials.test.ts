// The site credentials file format (issue 8 §2): scrypt hashes in, file:line errors for anything else.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashSitePassword, parseCredentialsFile, parseScryptHash, sameSecret, verifySitePassword, type ScryptHash } from './credentials.ts';

const FAST = { N: 1024, r: 8, p: 1 }; // tests only: the format, not the cost, is under test

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'camfleet-creds-')), 'sites.txt');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

describe('site credentials', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const a = await hashSitePassword('right horse', FAST);
    const b = await hashSitePassword('right horse', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b); // salted
    const parsed = parseScryptHash(a) as ScryptHash;
    expect(await verifySitePassword('right horse', parsed)).toBe(true);
    expect(await verifySitePassword('right hors', parsed)).toBe(false);
    expect(await verifySitePassword('', parsed)).toBe(false);
  });

  it('the default cost is Node\'s scrypt default', async () => {
    expect(await hashSitePassword('x')).toMatch(/^scrypt\$16384\$8\$1\$/);
  });

  it('reads a file of site:hash lines, skipping comments and blank lines', async () => {
    const h = await hashSitePassword('pw-a', FAST);
    const sites = parseCredentialsFile(file(`# camfleet site credentials\n\nshop-a:${h}\n  shop-b.2:${await hashSitePassword('pw-b', FAST)}  \n`));
    expect([...sites.keys()]).toEqual(['shop-a', 'shop-b.2']);
    expect(await verifySitePassword('pw-a', sites.get('shop-a')!.hash)).toBe(true);
    expect(await verifySitePassword('pw-b', sites.get('shop-a')!.hash)).toBe(false);
  });

  it('names file:line and the problem for a bad line, plaintext included', async () => {
    const h = await hashSitePassword('pw', FAST);
    const cases: Array<[string, string]> = [
      [`shop-a:${h}\nshop-b:secret-b\n`, ':2: expected "site:scrypt$N$r$p$salt$hash" (write it with scripts/site-credentials.ts; plaintext passwords are not accepted)'],
      [`# x\njust-a-name\n`, ':2: expected "site:scrypt$N$r$p$salt$hash"'],
      [`shop a:${h}\n`, ':1: "shop a" is not a site id'],
      [`shop-a:${h}\nshop-a:${h}\n`, ':2: site "shop-a" is listed twice'],
      ['s:scrypt$1000$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA\n', ':1: scrypt N must be a power of two (got "1000")'],
      ['s:scrypt$1048576$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA\n', ':1: scrypt N·r needs more than 256 MiB per login'],
      ['s:scrypt$1024$8$1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA\n', ':1: the salt must be at least 8 bytes (base64url)'],
    ];
    for (const [text, message] of cases) {
      const path = file(text);
      expect(() => parseCredentialsFile(path)).toThrow(`${path}${message}`);
    }
    expect(() => parseCredentialsFile('/nonexistent/sites.txt')).toThrow('/nonexistent/sites.txt: cannot read (no such file)');
  });

  it('compares the server login in constant time whatever the lengths', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});
