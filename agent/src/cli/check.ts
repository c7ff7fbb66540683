// `camfleet-agent check SITE.yaml` — validates a site config without contacting any device (CONTRACTS §3).
//
//   exit 0  valid: one summary line on stdout
//   exit 1  invalid: one line per problem on stderr, `FILE:LINE PATH: MESSAGE`, sorted by line
//   exit 2  the file (or nothing sensible) could not be read, or bad usage: one line on stderr
//
// It reads mqtt.passwordFile and the TLS files like the agent does at start-up, and judges the mode of every file
// that holds credentials (config/secrets.ts, issue 8 §3), so a config that passes here also loads there.
import { SEGMENTS, type Segment } from '@camfleet/shared';
import { loadSiteConfig } from '../config/load.ts';
import { ConfigError } from '../config/problems.ts';
import type { SiteConfig } from '../config/types.ts';

export const CHECK_USAGE = 'usage: camfleet-agent check SITE.yaml';

export async function checkCommand(args: string[]): Promise<number> {
  if (args.length === 1 && (args[0] === '-h' || args[0] === '--help')) {
    out(`${CHECK_USAGE}\nValidates a site config; exit 0 valid, 1 problems found, 2 unreadable file or bad usage.`);
    return 0;
  }
  const [file, ...rest] = args;
  // Options and "-" (stdin) are not supported; say so rather than trying to open a file named "--verbose".
  if (file === undefined || file === '' || file.startsWith('-') || rest.length > 0) {
    err(CHECK_USAGE);
    return 2;
  }
  try {
    const config = await loadSiteConfig(file);
    out(`${file}: ok — ${summary(config)}`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.lines()) err(line);
      return e.kind === 'unreadable' ? 2 : 1;
    }
    // Should not happen; still one line, never a stack trace.
    err(`${file}: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

/** `site tokyo-shop-01, 7 devices (2 cameras, 1 gateway, 1 onu, 1 router, 1 switch)`, segments in DOMAIN order. */
export function summary(config: SiteConfig): string {
  const counts = new Map<Segment, number>();
  for (const d of config.devices) counts.set(d.segment, (counts.get(d.segment) ?? 0) + 1);
  const parts = SEGMENTS.filter((s) => counts.has(s)).map((s) => plural(counts.get(s) ?? 0, s));
  const devices = plural(config.devices.length, 'device');
  return `site ${config.site.id}, ${devices}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

function plural(n: number, noun: string): string {
  if (n === 1 || noun === 'cloud') return `${n} ${noun}`;
  return `${n} ${noun}${/(s|sh|ch|x)$/.test(noun) ? 'es' : 's'}`;
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);
