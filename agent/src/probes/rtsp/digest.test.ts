// Digest arithmetic against the RFCs' own worked examples, challenge parsing, and the response parser.
import { describe, expect, it } from 'vitest';
import { parseResponse } from './connection.ts';
import { Authenticator, digestResponse, parseChallenges } from './digest.ts';

describe('digestResponse', () => {
  it('reproduces the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    expect(
      digestResponse({
        username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        method: 'GET', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('reproduces the RFC 7616 §3.9.1 examples (MD5 and SHA-256)', () => {
    const base = {
      username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      method: 'GET', uri: '/dir/index.html', qop: 'auth' as const, nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    };
    expect(digestResponse({ ...base, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(digestResponse({ ...base, algorithm: 'SHA-256' })).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });
});

describe('parseChallenges', () => {
  it('reads several challenges, quoted commas and escaped quotes', () => {
    const parsed = parseChallenges(['Digest realm="a, \\"b\\"", nonce=abc, qop="auth,auth-int", Basic realm="x"', 'Basic realm=y']);
    expect(parsed).toEqual([
      { scheme: 'digest', params: { realm: 'a, "b"', nonce: 'abc', qop: 'auth,auth-int' } },
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'basic', params: { realm: 'y' } },
    ]);
  });
});

describe('Authenticator', () => {
  it('prefers Digest to Basic, counts nonce uses and echoes opaque', () => {
    const auth = new Authenticator({ username: 'u"1', password: 'pw' });
    expect(auth.header('DESCRIBE', 'rtsp://h/x')).toBeUndefined();
    expect(auth.accept(parseChallenges(['Basic realm="r"', 'Digest realm="r", nonce="n1", qop="auth", opaque="o"']))).toEqual({ ok: true });
    const first = auth.header('DESCRIBE', 'rtsp://h/x')!;
    expect(first).toMatch(/^Digest username="u\\"1", realm="r", nonce="n1", uri="rtsp:\/\/h\/x", response="[0-9a-f]{32}"/);
    expect(first).toContain('opaque="o"');
    expect(first).toContain('nc=00000001');
    expect(auth.header('DESCRIBE', 'rtsp://h/x')).toContain('nc=00000002');
  });

  it('uses Basic only when nothing else is offered, and names what it cannot use', () => {
    const basic = new Authenticator({ username: 'u', password: 'p' });
    basic.accept(parseChallenges(['Basic realm="r"']));
    expect(basic.header('DESCRIBE', 'rtsp://h/')).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    const none = new Authenticator({ username: 'u', password: 'p' });
    expect(none.accept(parseChallenges(['Digest realm="r", nonce="n", algorithm=SHA-512-256', 'Negotiate']))).toEqual({
      ok: false,
      offered: 'digest/SHA-512-256, negotiate',
    });
  });
});

describe('parseResponse', () => {
  const text = 'RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nWWW-Authenticate: A\r\nWWW-Authenticate: B\r\nContent-Length: 5\r\n\r\nv=0\r\nRTSP/1.0';

  it('waits for the whole body, keeps repeated headers and leaves what follows', () => {
    const buf = Buffer.from(text);
    expect(parseResponse(buf.subarray(0, 40))).toBeUndefined();
    const parsed = parseResponse(buf)!;
    expect(parsed.res).toMatchObject({ status: 200, reason: 'OK', body: 'v=0\r\n' });
    expect(parsed.res.headers.get('www-authenticate')).toEqual(['A', 'B']);
    expect(buf.subarray(parsed.used).toString()).toBe('RTSP/1.0');
  });

  it('rejects what is not RTSP', () => {
    expect(() => parseResponse(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toThrow('not RTSP');
    expect(() => parseResponse(Buffer.from('RTSP/1.0 2xx\r\n\r\n'))).toThrow('status line');
  });
});
