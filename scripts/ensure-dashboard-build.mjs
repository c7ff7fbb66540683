// Builds the dashboard when its build is missing or older than its sources, so `npm start` and
// `npm run demo` work straight after `npm ci` without rebuilding on every start.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const built = path.join(root, 'dashboard/dist/index.html');

function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

const sources = Math.max(newest(path.join(root, 'dashboard/src')), newest(path.join(root, 'shared/src')));
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  console.log('camfleet: building the dashboard…');
  execSync('npm run build -w @camfleet/dashboard --silent', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
