import { describe, expect, it } from 'vitest';
import { CommandRouter } from './commands.ts';

const cmd = (id: string, at = new Date().toISOString(), device?: string) => Buffer.from(JSON.stringify({ v: 1, id, at, ...(device ? { device } : {}) }));

describe('CommandRouter', () => {
  it('answers each command once, the same answer for a redelivery, and refuses what it cannot do', async () => {
    let runs = 0;
    const logs: string[] = [];
    const router = new CommandRouter({ reboot: async (c) => (runs++, { ok: true, code: 'rebooting', message: `reboot ${c.device ?? ''}` }) }, (m) => logs.push(m));
    const first = await router.handle('reboot', cmd('a', undefined, 'cam1'));
    expect(first).toMatchObject({ v: 1, id: 'a', ok: true, code: 'rebooting', message: 'reboot cam1' });
    expect(await router.handle('reboot', cmd('a', undefined, 'cam1'))).toEqual(first);
    expect(runs).toBe(1);
    expect(await router.handle('snapshot', cmd('b'))).toMatchObject({ id: 'b', ok: false, code: 'not-supported' });
    expect(await router.handle('reboot', cmd('c', new Date(Date.now() - 3600_000).toISOString(), 'cam1'))).toMatchObject({ ok: false, code: 'expired' });
    expect(runs).toBe(1);
    expect(await router.handle('reboot', Buffer.from('{"v":1}'))).toBeUndefined();
    expect(logs).toContain('ignored a malformed reboot command');
  });
});
