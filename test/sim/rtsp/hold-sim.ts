// Test helper, run as its own Node process by sim.test.ts: starts an RTSP simulator, prints its python pid
// and temp dir, then waits to be killed — to prove the simulator dies with a parent that is SIGKILLed.
import { startRtspServer } from './server.ts';

const sim = await startRtspServer({ username: 'u', password: 'p', mounts: ['/cam1'] });
console.log(JSON.stringify({ pid: sim.pid, dir: sim.dir, port: sim.port }));
setInterval(() => {}, 60_000);
