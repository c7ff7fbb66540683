// A problem found in a site config, and the error that carries them out of loadSiteConfig(). Problems are
// printed by `check`, logged by the agent and sent back in a cmd/reload answer, so a problem never shows a
// credential (issue 8 §3): the message goes through redact(), and a value echoed for a credential field
// (`expected a string, got number 12345`) is masked.
import { redact } from '@camfleet/shared';

export interface Problem {
  /** The config file's name as the user gave it (so messages match what they typed). */
  file: string;
  /** 1-based line; 0 when the problem is about the file as a whole (e.g. it cannot be read). */
  line: number;
  /** Field path like `devices[3].parent`; '' for YAML syntax errors and whole-file problems. */
  path: string;
  message: string;
}

/** `site.yaml:14 devices[3].parent: no device "sw2"` (CONTRACTS §3). */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : `${p.file}:`;
  const message = safeMessage(p);
  return p.path ? `${where} ${p.path}: ${message}` : `${where} ${message}`;
}

const CREDENTIAL_FIELD = /(?:^|\.)(?:password|community|writeCommunity)$/;

function safeMessage(p: Problem): string {
  const message = redact(p.message);
  if (!CREDENTIAL_FIELD.test(p.path)) return message;
  return message.replace(/"(?:\\.|[^"\\])*"/g, '"***"').replace(/\b(got (?:number|boolean|bigint|string) )\S+?(?=;|$)/g, '$1***');
}

/** By line, keeping discovery order within a line; exact duplicates dropped. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.line - b.line);
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /**
   * 'invalid': the file was read and has problems (CLI exit 1);
   * 'unreadable': the file itself could not be read (CLI exit 2).
   */
  readonly kind: 'invalid' | 'unreadable';
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], kind: 'invalid' | 'unreadable' = 'invalid') {
    super(problems.map(formatProblem).join('\n') || 'invalid site config');
    this.kind = kind;
    this.problems = problems;
  }

  /** One printable line per problem (what `check` prints and the agent logs). */
  lines(): string[] {
    return this.problems.map(formatProblem);
  }
}
