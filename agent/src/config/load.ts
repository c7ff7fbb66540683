// Reads a site config from disk, validates it and resolves `mqtt.passwordFile`, so what the agent
// runs with and what `camfleet-agent check` approves are the same thing. Every file that holds a credential
// (the config itself when it has inline passwords, the password file, a TLS private key) must be closed to
// group and others (secrets.ts, issue 8 §3); a wider mode is a problem like any other.
import { open } from 'node:fs/promises';
import { analyseSiteConfig } from './check.ts';
import { ConfigError, type Problem } from './problems.ts';
import { holdsPrivateKey, inlineCredentials, modeProblem, readWithOwnership, type FileOwnership } from './secrets.ts';
import type { SiteConfig } from './types.ts';

/** Far above any real site (2000 devices is a few hundred KB); stops us from reading a wrong huge file. */
const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

/**
 * @param path used verbatim in problems (give it as the user typed it).
 * @throws ConfigError — kind 'unreadable' when the file cannot be read, 'invalid' with every problem found.
 */
export async function loadSiteConfig(path: string): Promise<SiteConfig> {
  let text: string;
  let info: FileOwnership;
  try {
    ({ text, info } = await readWithOwnership(() => open(path, 'r'), MAX_CONFIG_BYTES));
  } catch (err) {
    throw new ConfigError([{ file: path, line: 0, path: '', message: `cannot read: ${fsReason(err)}` }], 'unreadable');
  }

  const { config, problems, problemAt } = analyseSiteConfig(text, path);
  if (!config) throw new ConfigError(problems);

  // Mode problems are collected and reported together, so one `check` names every file to chmod.
  const exposed: Problem[] = [];
  const inline = inlineCredentials(config);
  const configMode = inline.length > 0 ? modeProblem(path, info, `holds credentials (${inline.slice(0, 2).join(', ')}${inline.length > 2 ? ', …' : ''})`) : undefined;
  if (configMode) exposed.push({ file: path, line: 0, path: '', message: configMode });

  const secretFile = config.mqtt.passwordFile;
  if (secretFile !== undefined) {
    try {
      const secret = await readWithOwnership(() => open(secretFile, 'r'));
      // Secret files are usually written with `echo`, so one trailing newline is not part of the password.
      const password = secret.text.replace(/\r?\n$/, '');
      if (password === '') throw Object.assign(new Error('empty'), { code: 'EMPTY' });
      config.mqtt.password = password;
      const mode = modeProblem(secretFile, secret.info, `"${secretFile}" holds the broker password`);
      if (mode) exposed.push(problemAt(['mqtt', 'passwordFile'], mode));
    } catch (err) {
      throw new ConfigError([problemAt(['mqtt', 'passwordFile'], `cannot read "${secretFile}": ${fsReason(err)}`)]);
    }
  }
  // TLS material is read now too, so `check` catches an unreadable CA file and the agent never starts without it.
  const pem = { caFile: 'ca', certFile: 'cert', keyFile: 'key' } as const;
  for (const [fileKey, valueKey] of Object.entries(pem) as Array<[keyof typeof pem, (typeof pem)[keyof typeof pem]]>) {
    const file = config.mqtt[fileKey];
    if (file === undefined) continue;
    try {
      const { text, info } = await readWithOwnership(() => open(file, 'r'));
      if (!text.includes('-----BEGIN ')) throw Object.assign(new Error('not PEM'), { code: 'NOTPEM' });
      config.mqtt[valueKey] = text;
      // A CA or certificate is public; a private key is not, whichever key it was given under.
      const mode = holdsPrivateKey(text) ? modeProblem(file, info, `"${file}" holds a private key`) : undefined;
      if (mode) exposed.push(problemAt(['mqtt', fileKey], mode));
    } catch (err) {
      throw new ConfigError([problemAt(['mqtt', fileKey], `cannot read "${file}": ${fsReason(err)}`)]);
    }
  }
  if (exposed.length > 0) throw new ConfigError(exposed);
  return config;
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a folder on the path is a file',
  EFBIG: `larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB; not a site config`,
  EMPTY: 'the file is empty',
  NOTPEM: 'not a PEM file (no "-----BEGIN" line)',
};

/** A short human reason, never a stack: the code decides, not Node's message (which repeats the path). */
function fsReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return REASONS[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}
