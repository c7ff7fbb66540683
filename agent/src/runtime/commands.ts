// Server → agent commands (camfleet/v1/<site>/cmd/<name>, DESIGN §3): each is validated, answered once on
// cmd/<name>/result, and a redelivered one (QoS 1 is at least once) gets the same answer again without
// being run twice. A command older than COMMAND_MAX_AGE_MS is not acted upon.
import { Value } from '@sinclair/typebox/value';
import { CommandSchema, type Command, type CommandResult } from '@camfleet/shared';

export const COMMAND_MAX_AGE_MS = 10 * 60_000;
const REMEMBER = 200;

export type CommandHandler = (cmd: Command) => Promise<{ ok: boolean; code?: string; message?: string; jpeg?: string }>;

export class CommandRouter {
  private readonly answered = new Map<string, Promise<CommandResult>>();

  constructor(
    private readonly handlers: Record<string, CommandHandler>,
    private readonly log: (msg: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  handle(name: string, payload: Buffer): Promise<CommandResult | undefined> {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (!Value.Check(CommandSchema, body)) {
      // Without a valid id there is nobody to answer; say so in the log.
      this.log(`ignored a malformed ${name} command`);
      return Promise.resolve(undefined);
    }
    const cmd = body;
    const known = this.answered.get(cmd.id);
    if (known) return known;
    const result = this.run(name, cmd);
    this.answered.set(cmd.id, result);
    if (this.answered.size > REMEMBER) this.answered.delete(this.answered.keys().next().value as string);
    return result;
  }

  private async run(name: string, cmd: Command): Promise<CommandResult> {
    const answer = (ok: boolean, code: string, message: string): CommandResult => ({ v: 1, id: cmd.id, at: new Date(this.now()).toISOString(), ok, code, message: message.slice(0, 300) });
    const handler = this.handlers[name];
    if (!handler) return answer(false, 'not-supported', `this agent does not handle "${name}" commands`);
    const age = this.now() - Date.parse(cmd.at);
    if (Number.isFinite(age) && age > COMMAND_MAX_AGE_MS) return answer(false, 'expired', `sent ${Math.round(age / 1000)} s ago; not acted upon`);
    this.log(`command ${name} ${cmd.id}${cmd.device ? ` for ${cmd.device}` : ''}${cmd.requestedBy ? ` from ${cmd.requestedBy}` : ''}`);
    try {
      const r = await handler(cmd);
      const result = answer(r.ok, r.code ?? (r.ok ? 'ok' : 'failed'), r.message ?? '');
      return r.jpeg ? { ...result, jpeg: r.jpeg } : result;
    } catch (err) {
      return answer(false, 'error', err instanceof Error ? err.message : String(err));
    }
  }
}
