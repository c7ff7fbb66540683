/** A URL fit for a log line: any password replaced (secrets never reach logs — issue 8 §3). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
