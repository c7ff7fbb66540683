// Issue or rotate a site's MQTT login (issue 8 §2; docs/deploy.md §3).
//
//   npx tsx scripts/site-credentials.ts add SITE [--file F] [--mosquitto-passwd F]
//   npx tsx scripts/site-credentials.ts remove SITE [--file F] [--mosquitto-passwd F]
//
// `add` makes a random password, prints it on stdout once (nothing else goes to stdout, so it can be piped
// straight into the gateway's password file) and writes its hash:
//   --file F               the embedded broker's CAMFLEET_MQTT_SITE_CREDENTIALS file (default: that variable):
//                          the `SITE:scrypt$…` line is replaced or appended, the file rewritten atomically, 0600;
//   --mosquitto-passwd F   Mosquitto's password_file, through `mosquitto_passwd` (the password goes on its stdin,
//                          not on its command line where `ps` would show it; -c when the file is new).
// Running `add` for an existing site rotates it: the old password stops working when the broker reloads (the
// embedded broker within seconds; Mosquitto on SIGHUP). `remove` deletes the site's line.
// Exit 0 done, 1 failed (one line on stderr), 2 bad usage.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ID_PATTERN } from '../shared/src/index.ts';
import { hashSitePassword } from '../server/src/broker/credentials.ts';

const USAGE = 'usage: site-credentials.ts add|remove SITE [--file CREDENTIALS_FILE] [--mosquitto-passwd PASSWORD_FILE]';
const MOSQUITTO_PASSWD = process.env.MOSQUITTO_PASSWD ?? 'mosquitto_passwd';

class Failure extends Error {}

interface Args {
  command: 'add' | 'remove';
  site: string;
  file?: string;
  mosquitto?: string;
}

function parseArgs(argv: string[]): Args | undefined {
  const [command, site, ...rest] = argv;
  if ((command !== 'add' && command !== 'remove') || !site || site.startsWith('-')) return undefined;
  const args: Args = { command, site };
  for (let i = 0; i < rest.length; i += 2) {
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('--')) return undefined;
    if (rest[i] === '--file') args.file = value;
    else if (rest[i] === '--mosquitto-passwd') args.mosquitto = value;
    else return undefined;
  }
  if (!args.file && !args.mosquitto && process.env.CAMFLEET_MQTT_SITE_CREDENTIALS) args.file = process.env.CAMFLEET_MQTT_SITE_CREDENTIALS;
  return args.file || args.mosquitto ? args : undefined;
}

/** Replaces (or appends, or with `line` undefined removes) the site's line; comments and other sites kept. */
function rewriteCredentials(file: string, site: string, line: string | undefined): boolean {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '# camfleet site credentials: SITE:scrypt$N$r$p$salt$hash (scripts/site-credentials.ts)\n';
  let found = false;
  const lines = before.split('\n').flatMap((raw) => {
    const at = raw.trim().indexOf(':');
    if (at > 0 && !raw.trim().startsWith('#') && raw.trim().slice(0, at) === site) {
      found = true;
      return line === undefined ? [] : [line];
    }
    return [raw];
  });
  if (!found && line !== undefined) {
    if (lines.at(-1) === '') lines.pop();
    lines.push(line, '');
  }
  // Same directory, then rename: the broker never reads a half-written file, and it keeps its owner's mode.
  const mode = existsSync(file) ? statSync(file).mode & 0o777 & ~0o077 : 0o600;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, lines.join('\n'), { mode: mode || 0o600 });
  renameSync(tmp, file);
  return found;
}

function mosquittoPasswd(file: string, site: string, password: string | undefined): void {
  const create = password !== undefined && !existsSync(file);
  const args = password === undefined ? ['-D', file, site] : [...(create ? ['-c'] : []), file, site];
  const r = spawnSync(MOSQUITTO_PASSWD, args, { input: password === undefined ? '' : `${password}\n${password}\n`, encoding: 'utf8' });
  if (r.error) throw new Failure(`cannot run ${MOSQUITTO_PASSWD} (apt-get install mosquitto): ${(r.error as NodeJS.ErrnoException).code ?? 'failed'}`);
  const said = `${r.stdout}${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l && !/password:/i.test(l));
  if (r.status !== 0) throw new Failure(`${MOSQUITTO_PASSWD} ${file}: ${said[0] ?? `exit ${r.status}`}`);
  // mosquitto_passwd creates it world-readable; the broker's user must be its owner (docs/deploy.md §3).
  if (create) chmodSync(file, 0o600);
}

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    process.stderr.write(`${USAGE}\n(give --file, --mosquitto-passwd or set CAMFLEET_MQTT_SITE_CREDENTIALS)\n`);
    return 2;
  }
  if (!new RegExp(ID_PATTERN).test(args.site)) throw new Failure(`"${args.site}" is not a site id (letters, digits, . _ -; at most 64)`);
  if (args.command === 'remove') {
    if (args.file && !rewriteCredentials(args.file, args.site, undefined)) process.stderr.write(`${args.file}: no line for ${args.site}\n`);
    if (args.mosquitto) mosquittoPasswd(args.mosquitto, args.site, undefined);
    process.stderr.write(`removed ${args.site}; reload the broker (embedded: automatic; Mosquitto: kill -HUP)\n`);
    return 0;
  }
  // 24 random bytes: 192 bits, far past guessing, in 32 URL- and YAML-safe characters.
  const password = randomBytes(24).toString('base64url');
  if (args.file) {
    const rotated = rewriteCredentials(args.file, args.site, `${args.site}:${await hashSitePassword(password)}`);
    process.stderr.write(`${args.file}: ${rotated ? 'rotated' : 'added'} ${args.site}\n`);
  }
  if (args.mosquitto) {
    mosquittoPasswd(args.mosquitto, args.site, password);
    process.stderr.write(`${args.mosquitto}: set ${args.site} (Mosquitto reads it on start and on SIGHUP)\n`);
  }
  process.stderr.write(`the password is shown once, below: put it in the gateway's mqtt.passwordFile (mode 0400/0600)\n`);
  process.stdout.write(`${password}\n`);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`site-credentials: ${err instanceof Failure ? err.message : `failed${code ? ` (${code})` : ''}`}\n`);
    process.exit(1);
  },
);
