// `npm run demo`: the server on its embedded defaults, one agent and a simulated site, all on this machine.
// Where the default ports are taken (a Mosquitto on 1883, something on 8080) it picks free ones.
// `--site-only` runs just the simulated site and its agent against CAMFLEET_MQTT_URL (docker-compose).
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadSiteConfig } from '../agent/src/config/index.ts';
import { Agent } from '../agent/src/runtime/agent.ts';
import { startSimSite } from '../test/sim/site.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

async function choosePort(envName: string, preferred: number): Promise<number> {
  const fromEnv = process.env[envName];
  if (fromEnv) return Number(fromEnv);
  if (await portFree(preferred)) return preferred;
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  console.log(`camfleet demo: port ${preferred} is taken; using ${port} instead (${envName})`);
  return port;
}

async function waitHealthy(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error('the server exited during start-up (see above)');
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the server did not become healthy at ${url} within 60 s`);
}

async function main(): Promise<void> {
  const siteOnly = process.argv.includes('--site-only');
  const dataDir = path.resolve(process.env.CAMFLEET_DATA_DIR || path.join(root, 'data'));
  let server: ChildProcess | undefined;
  let mqttUrl = process.env.CAMFLEET_MQTT_URL;
  if (!siteOnly) {
    const port = await choosePort('PORT', 8080);
    const mqttPort = await choosePort('CAMFLEET_MQTT_PORT', 1883);
    mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    // The demo's admin password: the one given, else a fresh random one for this run (never a default).
    const given = process.env.CAMFLEET_ADMIN_PASSWORD;
    const adminPassword = given || randomBytes(12).toString('base64url');
    server = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'server/src/main.ts')], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PORT: String(port), CAMFLEET_MQTT_PORT: String(mqttPort), CAMFLEET_DATA_DIR: dataDir, CAMFLEET_ADMIN_PASSWORD: adminPassword, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    await waitHealthy(`http://127.0.0.1:${port}`, server);
    console.log(`\ncamfleet demo is running.\n  Dashboard: http://127.0.0.1:${port}/\n  Login:     user admin, password ${given ? '(the one in CAMFLEET_ADMIN_PASSWORD)' : adminPassword}\n  MQTT:      ${mqttUrl}\nPress Ctrl-C to stop.\n`);
  }
  if (!mqttUrl) throw new Error('--site-only needs CAMFLEET_MQTT_URL');

  const site = await startSimSite({ id: 'demo-shop-01', cameras: 4 });
  const stateDir = path.join(dataDir, 'demo-agent');
  mkdirSync(stateDir, { recursive: true });
  const configFile = path.join(stateDir, 'site.yaml');
  // It holds the simulated cameras' passwords: owner-only, as the agent requires of a secrets file.
  writeFileSync(configFile, site.yaml({ mqttUrl, stateDir, intervalS: 5, timeoutS: 2 }), { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const agent = new Agent(await loadSiteConfig(configFile), { log: (m) => console.log(`agent: ${m}`) });
  agent.start();

  // A little life: camera 3 drops out for 30 s every 2 minutes; the switch fails for 20 s every 5 minutes,
  // taking every camera behind it along (they show as unreachable behind the switch, not as four faults).
  let tick = 0;
  const life = setInterval(() => {
    tick += 10;
    const cam3 = site.cameras.get('cam3');
    const sw = site.devices.get('sw');
    if (tick % 120 === 60) void cam3?.stop();
    if (tick % 120 === 90) void cam3?.start();
    if (tick % 300 === 200) void sw?.stop();
    if (tick % 300 === 220) void sw?.start();
  }, 10_000);

  const stop = async () => {
    clearInterval(life);
    await agent.stop();
    await site.close();
    server?.kill('SIGTERM');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  server?.once('exit', (code) => {
    console.error(`camfleet demo: the server stopped (exit ${code})`);
    void stop();
  });
}

main().catch((err: unknown) => {
  console.error(`camfleet demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
