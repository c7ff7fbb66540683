// The agent's log line (journald takes stdout under systemd, docs/agent.md §1). Every line goes through
// redact() first — probe errors, library messages and config problems can quote a URL or a header with a
// camera's credentials in it, and those stay on the gateway (issue 8 §3).
import { redact } from '@camfleet/shared';

export type LogFn = (msg: string) => void;

const toStdout: LogFn = (msg) => console.log(`camfleet-agent: ${msg}`);

/** The agent's logger: `sink` (default stdout) behind redaction, so an injected logger is redacted too. */
export function redactedLog(sink: LogFn = toStdout): LogFn {
  return (msg) => sink(redact(msg));
}
