// Which files hold credentials, and whether their mode keeps them to the agent (issue 8 §3: camera credentials
// stay on the agent). A secrets file that group or others may read is refused — by `check` and at start — with
// one line naming the file, its mode and the fix, the way ssh refuses a private key with open permissions.
//
// One exception, PostgreSQL's rule for ssl_key_file: a file owned by root may grant read (only read) to its
// group when that group is the agent's own. That is the installer's layout (agent/install/install.sh,
// docs/agent.md §1): /etc/camfleet/site.yaml is root:camfleet 0640 so the agent can read its config but not
// change it. Any other group (users, adm, …) would widen the readers, so it is refused like any other mode.
// Run as root (`sudo camfleet-agent check …`) the agent's group is not root's: the installer's `camfleet` group
// counts as well then, so a correct installation is not reported.
// Mode bits are checked, not access: root reads everything, and the agent must judge the file, not itself.
import { readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { SiteConfig } from './types.ts';

export interface FileOwnership {
  mode: number;
  uid: number;
  gid: number;
}

export interface Identity {
  /** Groups that count as the agent's own: root may grant them read. */
  gids: readonly number[];
}

/** The user the installer creates (agent/install/install.sh). */
const AGENT_GROUP = 'camfleet';

function self(): Identity {
  const gids = [process.getegid?.() ?? -1];
  if (process.geteuid?.() === 0) {
    try {
      const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${AGENT_GROUP}:`));
      const gid = Number(line?.split(':')[2]);
      if (Number.isInteger(gid)) gids.push(gid);
    } catch {
      // no /etc/group: only the process's own group counts
    }
  }
  return { gids };
}

/** Who besides the owner may touch the file ('group', 'others', 'group and others'), or undefined when no one. */
export function exposure(file: FileOwnership, agent: Identity = self()): string | undefined {
  const group = (file.mode & 0o070) !== 0;
  const others = (file.mode & 0o007) !== 0;
  const rootGrantsOwnGroupRead = file.uid === 0 && agent.gids.includes(file.gid) && (file.mode & 0o070) === 0o040;
  if (others) return group && !rootGrantsOwnGroupRead ? 'group and others' : 'others';
  if (group && !rootGrantsOwnGroupRead) return 'group';
  return undefined;
}

/** `0640`: the permission bits as chmod takes them. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** `chmod 600 FILE`, the file quoted for the shell when it needs it. */
export function chmodFix(file: string): string {
  return `chmod 600 ${/^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`}`;
}

/** The problem message for an exposed secrets file, or undefined when its mode is fine. */
export function modeProblem(file: string, info: FileOwnership, what: string, agent?: Identity): string | undefined {
  const who = exposure(info, agent);
  if (!who) return undefined;
  return `${what} but its mode ${octalMode(info.mode)} lets ${who} read it; run ${chmodFix(file)}`;
}

/** Config paths that hold a credential inline; empty when the file itself holds no secret. */
export function inlineCredentials(config: SiteConfig): string[] {
  const out: string[] = [];
  if (config.mqtt.password !== undefined && config.mqtt.passwordFile === undefined) out.push('mqtt.password');
  if (urlHasPassword(config.mqtt.url)) out.push('mqtt.url');
  config.devices.forEach((d, i) => {
    const at = `devices[${i}]`;
    if (d.onvif?.password) out.push(`${at}.onvif.password`);
    if (d.rtsp?.password) out.push(`${at}.rtsp.password`);
    if (d.rtsp?.url && urlHasPassword(d.rtsp.url)) out.push(`${at}.rtsp.url`);
    if (d.snmp?.community) out.push(`${at}.snmp.community`);
    if (d.snmp?.writeCommunity) out.push(`${at}.snmp.writeCommunity`);
  });
  return out;
}

function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/** A PEM file that carries a private key (a key file, or a certificate file with its key appended). */
export function holdsPrivateKey(pem: string): boolean {
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem);
}

/** Reads a file through one handle, so the mode judged is the mode of the file read (no swap in between). */
export async function readWithOwnership(open: () => Promise<FileHandle>, maxBytes = Infinity): Promise<{ text: string; info: FileOwnership }> {
  const handle = await open();
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > maxBytes) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    return { text: await handle.readFile('utf8'), info: { mode: st.mode, uid: st.uid, gid: st.gid } };
  } finally {
    await handle.close();
  }
}
