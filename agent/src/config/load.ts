// Reads a site config from disk, validates it and resolves `mqtt.passwordFile`, so what the agent
// runs with and what `camfleet-agent check` approves are the same thing.
import { readFile, stat } from 'node:fs/promises';
import { analyseSiteConfig } from './check.ts';
import { ConfigError } from './problems.ts';
import type { SiteConfig } from './types.ts';

/** Far above any real site (2000 devices is a few hundred KB); stops us from reading a wrong huge file. */
const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

/**
 * @param path used verbatim in problems (give it as the user typed it).
 * @throws ConfigError — kind 'unreadable' when the file cannot be read, 'invalid' with every problem found.
 */
export async function loadSiteConfig(path: string): Promise<SiteConfig> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (info.size > MAX_CONFIG_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file: path, line: 0, path: '', message: `cannot read: ${fsReason(err)}` }], 'unreadable');
  }

  const { config, problems, problemAt } = analyseSiteConfig(text, path);
  if (!config) throw new ConfigError(problems);

  const secretFile = config.mqtt.passwordFile;
  if (secretFile !== undefined) {
    try {
      // Secret files are usually written with `echo`, so one trailing newline is not part of the password.
      const password = (await readFile(secretFile, 'utf8')).replace(/\r?\n$/, '');
      if (password === '') throw Object.assign(new Error('empty'), { code: 'EMPTY' });
      config.mqtt.password = password;
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
      const text = await readFile(file, 'utf8');
      if (!text.includes('-----BEGIN ')) throw Object.assign(new Error('not PEM'), { code: 'NOTPEM' });
      config.mqtt[valueKey] = text;
    } catch (err) {
      throw new ConfigError([problemAt(['mqtt', fileKey], `cannot read "${file}": ${fsReason(err)}`)]);
    }
  }
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
