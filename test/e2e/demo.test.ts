// CONTRACTS §4: the README's demo command comes up even where the default ports are taken (a Mosquitto on
// 1883, something on 8080) by choosing free ones, and prints the dashboard URL and the login it needs.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnLogged, stopProcess, waitFor, type LoggedProcess } from '../harness/index.ts';
import { loginCookie } from '../support/auth.ts';
import { REPO, tempDir } from '../support/processes.ts';

/** Holds a port if nothing else does, so the demo must step around it either way. */
async function occupy(port: number): Promise<net.Server | undefined> {
  const s = net.createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(undefined)); // already taken by something else: just as good
    s.listen(port, '0.0.0.0', () => resolve(s));
  });
}

describe('npm run demo', () => {
  let demo: LoggedProcess | undefined;
  const held: net.Server[] = [];

  afterAll(async () => {
    if (demo) await stopProcess(demo, 10_000);
    for (const s of held) s.close();
  });

  it('steps around taken default ports, prints the URL, and shows a live simulated site', async () => {
    for (const p of [8080, 1883]) {
      const s = await occupy(p);
      if (s) held.push(s);
    }
    const dir = tempDir('demo');
    const logFile = path.join(dir, 'demo.log');
    const env: NodeJS.ProcessEnv = { ...process.env, CAMFLEET_DATA_DIR: path.join(dir, 'data') };
    for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'PORT' || k === 'CAMFLEET_MQTT_PORT' || k.startsWith('CAMFLEET_ADMIN_')) delete env[k];
    demo = spawnLogged('demo', 'npm', ['run', 'demo', '--silent'], { logFile, cwd: REPO, env, group: true });
    const url = await waitFor(() => {
      const m = /Dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(readFileSync(logFile, 'utf8'));
      return Promise.resolve(m ? m[1] : undefined);
    }, { timeoutMs: 90_000, what: 'the demo to print its dashboard URL', abortIf: () => (demo?.exitInfo ? 'the demo exited' : undefined) });
    const log = readFileSync(logFile, 'utf8');
    expect(url).not.toContain(':8080/');
    expect(log).toMatch(/port 8080 is taken; using \d+ instead \(PORT\)/);
    expect(log).toMatch(/port 1883 is taken; using \d+ instead \(CAMFLEET_MQTT_PORT\)/);
    // The login it prints is the one that works (once the server is up).
    const login = /Login: +user (\S+), password (\S+)/.exec(log);
    expect(login, log).not.toBeNull();
    let cookie: string | undefined;
    await expect.poll(async () => {
      cookie ??= await loginCookie(url.replace(/\/$/, ''), { username: login![1]!, password: login![2]! });
      const fleet = (await (await fetch(`${url}api/v1/fleet`, { headers: { cookie } })).json()) as { summary: { byState: { UP: number } } };
      return fleet.summary.byState.UP;
    }, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(8);
  });
});
