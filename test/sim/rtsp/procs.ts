// Child processes of a process, read from /proc (Linux): how tests prove nothing was left running.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Executable name as the kernel keeps it (at most 15 characters). */
  comm: string;
}

function stat(pid: number): ProcInfo | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split at the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const [state, ppid] = text.slice(close + 2).split(' ');
    if (state === 'Z') return undefined; // exited, only waiting to be reaped
    return { pid, ppid: Number(ppid), comm };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Live children of `parent` (default: this process), optionally only those named `comm`. */
export function childProcesses(comm?: string, parent = process.pid): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = stat(Number(name));
    if (info && info.ppid === parent && (comm === undefined || info.comm === comm)) out.push(info);
  }
  return out;
}

/** Whether a process with this id is alive (not a zombie). */
export function isAlive(pid: number): boolean {
  return stat(pid) !== undefined;
}
