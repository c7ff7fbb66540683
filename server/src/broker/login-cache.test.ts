// The login cache: a reconnect storm or a retrying wrong password costs one scrypt check per TTL, a rotated
// credential is checked afresh, and at most `concurrency` checks run at once.
import { describe, expect, it } from 'vitest';
import { LoginCache } from './login-cache.ts';

describe('LoginCache', () => {
  it('answers a repeated login from memory until the TTL ends, for right and wrong passwords alike', async () => {
    let now = 0;
    const cache = new LoginCache({ ttlMs: 1000, now: () => now });
    let calls = 0;
    const verify = (ok: boolean) => async () => {
      calls++;
      return ok;
    };
    for (let i = 0; i < 5; i++) expect(await cache.check('shop-a', 'right', 'gen1', verify(true))).toBe(true);
    for (let i = 0; i < 5; i++) expect(await cache.check('shop-a', 'wrong', 'gen1', verify(false))).toBe(false);
    expect(calls).toBe(2);
    now = 1001;
    expect(await cache.check('shop-a', 'right', 'gen1', verify(true))).toBe(true);
    expect(calls).toBe(3);
  });

  it('never lets a cached answer stand for another password, user or credential line', async () => {
    const cache = new LoginCache();
    let calls = 0;
    const verify = (ok: boolean) => async () => {
      calls++;
      return ok;
    };
    expect(await cache.check('shop-a', 'right', 'gen1', verify(true))).toBe(true);
    expect(await cache.check('shop-a', 'right2', 'gen1', verify(false))).toBe(false);
    expect(await cache.check('shop-b', 'right', 'gen1', verify(false))).toBe(false);
    expect(await cache.check('shop-a', 'right', 'gen2', verify(false))).toBe(false); // rotated: old password out
    expect(calls).toBe(4);
    cache.forget(['shop-a']);
    expect(cache.size).toBe(1); // shop-b's refusal stays
  });

  it('runs at most `concurrency` checks at once and refuses past the queue bound', async () => {
    const cache = new LoginCache({ concurrency: 2, maxQueued: 3 });
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const slow = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => releases.push(r));
      running--;
      return true;
    };
    const logins = Array.from({ length: 5 }, (_, i) => cache.check(`site-${i}`, 'pw', 'g', slow));
    await expect(cache.check('site-x', 'pw', 'g', slow)).rejects.toThrow('busy');
    const drain = setInterval(() => releases.splice(0).forEach((r) => r()), 1);
    const results = await Promise.all(logins).finally(() => clearInterval(drain));
    expect(results).toEqual([true, true, true, true, true]);
    expect(peak).toBe(2);
    expect(cache.verifications).toBe(5);
  });

  it('evicts the oldest entries past maxEntries', async () => {
    const cache = new LoginCache({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) await cache.check(`s${i}`, 'pw', 'g', async () => true);
    expect(cache.size).toBe(3);
  });
});
