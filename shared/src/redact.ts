// Log redaction (issue 8 §3: camera credentials stay on the agent, and no secret reaches a log line). One
// function for every log path — the agent's logger and config problems, the server's pino stream — so a new
// credential shape is added once. It works on text, not on known fields: a URL inside an error message, a
// header dumped by a library or a YAML fragment quoted in a problem is caught wherever it appears.
// Pure string code with no Node APIs: the dashboard imports this package too.

const MASK = '***';

/** Key names whose value is a secret: `password=…`, `"mqttPassword":"…"`, `community: …`, `pass:`, `pwd=`. */
const KEY = String.raw`[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|community|api[_-]?key)|pass|pwd|pw`;

const RULES: ReadonlyArray<readonly [RegExp, string | ((...m: string[]) => string)]> = [
  // URL userinfo (RFC 3986 §3.2.1): rtsp://user:secret@host → rtsp://user:***@host. The password part runs to
  // the last @ before the path, so a raw @ inside a password is covered too.
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:"'<>]*):([^\s/?#"'<>]*)@/gi, (_m, scheme, user) => `${scheme}${user}:${MASK}@`],
  // Header lines and their JSON form: the whole value (Basic, Bearer, Digest with its response=, cookies).
  [/\b((?:proxy-)?authorization|cookie|set-cookie)(\\?["']?\s*[:=]\s*)(\\?["'])(?:\\.|(?!\3).)*?\3/gi, (_m, k, sep, q) => `${k}${sep}${q}${MASK}${q}`],
  [/\b((?:proxy-)?authorization|cookie|set-cookie)(\s*:\s*)[^\r\n]+/gi, (_m, k, sep) => `${k}${sep}${MASK}`],
  // "password":"…" (also inside an escaped JSON string: \"password\":\"…\") and quoted key=value forms.
  [new RegExp(String.raw`(\\?["']?\b(?:${KEY})\\?["']?\s*[:=]\s*)(\\?["'])(?:\\.|(?!\2).)*?\2`, 'gi'), (_m, pre, q) => `${pre}${q}${MASK}${q}`],
  // Unquoted key=value / key: value (query strings, YAML, log lines); the value ends at a separator.
  [new RegExp(String.raw`(\b(?:${KEY})\s*[:=][ \t]*)(?!\*\*\*)[^\s,;&"'<>)}\]]+`, 'gi'), (_m, pre) => `${pre}${MASK}`],
  // ONVIF WS-Security: <wsse:Password Type="…#PasswordDigest">…</wsse:Password>.
  [/(<(?:[\w-]+:)?Password\b[^>]*>)[^<]*(<\/)/gi, (_m, open, close) => `${open}${MASK}${close}`],
  // Bearer tokens anywhere, and camfleet's API tokens (cft_…) even without the word Bearer.
  [/\b(Bearer\s+)(?!\*\*\*)[A-Za-z0-9._~+/=-]+/g, (_m, pre) => `${pre}${MASK}`],
  [/\bcft_[A-Za-z0-9_-]{6,}/g, `cft_${MASK}`],
  // HTTP Digest (RFC 7616 §3.4) outside an Authorization header: the response is a crackable hash.
  [/\b(response\s*=\s*)("?)[0-9a-f]{16,}\2/gi, (_m, pre, q) => `${pre}${q}${MASK}${q}`],
];

/** `text` with everything credential-shaped masked as `***`. Idempotent: redact(redact(x)) === redact(x). */
export function redact(text: string): string {
  let out = text;
  for (const [re, by] of RULES) out = out.replace(re, by as (...m: string[]) => string);
  return out;
}

/**
 * A destination for pino (the server's fastify logger) that redacts every serialised line before it is
 * written, so messages, objects and error stacks are all covered: `logger: { level, stream: redactingStream(
 * (line) => process.stdout.write(line)) }`.
 */
export function redactingStream(write: (line: string) => unknown): { write(line: string): void } {
  return { write: (line: string) => void write(redact(line)) };
}

/** A URL fit for a log line: any password replaced (secrets never reach logs — issue 8 §3). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = MASK;
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
