// Reads one value (summed over label sets, or for the given labels) from a server's /metrics (as the test admin).
import { authHeaders } from '../../support/auth.ts';

export async function scrape(url: string, name: string, labels?: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: authHeaders() })).text();
  const want = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : undefined;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z0-9_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (want !== undefined && (m[2] ?? '') !== want) continue;
    sum += Number(m[3]);
  }
  return sum;
}
