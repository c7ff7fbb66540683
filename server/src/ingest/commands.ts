// Server → agent commands over `camfleet/v1/<site>/cmd/<name>`; the agent answers on `…/result` (DESIGN §3).
import { randomUUID } from 'node:crypto';
import { topics, type CommandName, type CommandResult } from '@camfleet/shared';

export class CommandBroker {
  private readonly pending = new Map<string, { site: string; resolve: (r: CommandResult) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly publish: (topic: string, payload: string) => Promise<void>) {}

  async request(site: string, name: CommandName, device: string | undefined, timeoutMs: number, requestedBy?: string, extra?: { ingestUrl?: string }): Promise<CommandResult> {
    const id = randomUUID();
    const result = new Promise<CommandResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ v: 1, id, at: new Date().toISOString(), ok: false, code: 'timeout', message: `no answer from the agent within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
      this.pending.set(id, { site, resolve, timer });
    });
    const body = { v: 1, id, at: new Date().toISOString(), ...(device ? { device } : {}), ...(requestedBy ? { requestedBy } : {}), ...extra };
    await this.publish(topics.cmd(site, name), JSON.stringify(body));
    return result;
  }

  /** Called for every result message; one from another site cannot settle this site's command. */
  resolve(site: string, result: CommandResult): void {
    const p = this.pending.get(result.id);
    if (!p || p.site !== site) return;
    clearTimeout(p.timer);
    this.pending.delete(result.id);
    p.resolve(result);
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}
