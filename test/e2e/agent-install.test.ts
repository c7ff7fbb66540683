// agent/install: the systemd unit the installer writes passes `systemd-analyze verify` and grants only
// CAP_NET_RAW to an unprivileged user; a dry run of the installer plans the documented layout and modes.
// (A real install changes the machine — user, /etc, /opt, systemd — so it is walked through in docs/agent.md.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../support/processes.ts';

const SCRIPT = path.join(REPO, 'agent/install/install.sh');

describe('agent installer', () => {
  it('renders a unit that systemd accepts: unprivileged user, only CAP_NET_RAW, journal, state dir', () => {
    const unit = execFileSync('bash', [SCRIPT, '--print-unit', '--prefix', REPO], { encoding: 'utf8' });
    expect(unit).not.toMatch(/@[A-Z_]+@/);
    for (const line of [
      'User=camfleet',
      'AmbientCapabilities=CAP_NET_RAW',
      'CapabilityBoundingSet=CAP_NET_RAW',
      'NoNewPrivileges=yes',
      'StateDirectory=camfleet',
      'StateDirectoryMode=0700',
      'StandardOutput=journal',
      'ExecReload=/bin/kill -HUP $MAINPID',
      `ExecStartPre=${process.execPath} ${REPO}/agent/bin/camfleet-agent.js check /etc/camfleet/site.yaml`,
      `ExecStart=${process.execPath} ${REPO}/agent/bin/camfleet-agent.js run /etc/camfleet/site.yaml`,
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    const analyze = '/usr/bin/systemd-analyze';
    if (existsSync(analyze)) {
      const dir = tempDir('unit');
      writeFileSync(path.join(dir, 'camfleet-agent.service'), unit);
      const r = spawnSync(analyze, ['verify', path.join(dir, 'camfleet-agent.service')], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('camfleet-agent.service'))).toEqual([]);
      expect(r.status).toBe(0);
    }
  });

  it('plans the documented layout in a dry run, and refuses unknown options', () => {
    const out = execFileSync('bash', [SCRIPT, '--dry-run', '--prefix', '/opt/camfleet', '--config', path.join(REPO, 'agent/examples/site.yaml'), '--password-stdin'], { encoding: 'utf8', input: '' });
    for (const step of [
      'install -d -o root -g camfleet -m 0750 /etc/camfleet',
      'install -d -o camfleet -g camfleet -m 0700 /var/lib/camfleet',
      'write the password from stdin to /etc/camfleet/mqtt.password (camfleet:camfleet 0400)',
      'runuser -u camfleet --',
      'systemctl enable camfleet-agent.service',
    ]) {
      expect(out).toContain(step);
    }
    expect(out).toMatch(/useradd --system .*--shell \/usr\/sbin\/nologin|user camfleet exists/);
    const bad = spawnSync('bash', [SCRIPT, '--frobnicate'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('install.sh: unknown option --frobnicate (see --help)');
  });
});
