// Two socket.io servers on the PostgreSQL adapter (as two server instances run): a case change on one reaches the
// other's case service as "reload these sites" over the adapter's inter-server channel.
import '../../../test/harness/provided.ts';
import { EventEmitter } from 'node:events';
import { Server } from 'socket.io';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { CaseRecord } from '@camfleet/shared';
import { createDatabase } from '../../../test/harness/index.ts';
import { openDatabase } from '../db/index.ts';
import { postgresAdapter, type PgAdapter } from '../realtime/adapter.ts';
import { attachCasesRealtime } from './realtime.ts';
import type { CaseService } from './service.ts';

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cases realtime between instances', () => {
  const adapters: PgAdapter[] = [];
  const servers: Server[] = [];
  const stops: (() => void)[] = [];

  afterAll(async () => {
    for (const stop of stops) stop();
    for (const s of servers) await s.close().catch(() => {}); // not attached to an HTTP server: its namespaces' adapters close, then it throws
    for (const a of adapters) await a.close();
  });

  it('tells the peer which sites changed; the peer reloads them', async () => {
    const url = await createDatabase(inject('postgresUrl'), 'camfleet_cases_peers');
    await (await openDatabase({ databaseUrl: url, dataDir: '' })).close(); // migrations: the adapter's table
    const instances = [0, 1].map(() => {
      const adapter = postgresAdapter(url, () => {});
      adapters.push(adapter);
      const io = new Server({ adapter: adapter.adapter });
      servers.push(io);
      const reloaded: string[] = [];
      const service = Object.assign(new EventEmitter(), { peerChanged: (sites: readonly string[]) => reloaded.push(...sites) });
      stops.push(attachCasesRealtime(io, service as unknown as CaseService));
      return { io, adapter, service, reloaded };
    });
    await Promise.all(instances.map((i) => i.adapter.ready()));
    await until('each instance to see the other', async () => (await Promise.all(servers.map((s) => s.of('/').adapter.serverCount()))).every((n) => n === 2));

    const [a, b] = instances;
    a!.service.emit('changed', [{ id: 7, site: 'shop-1', state: 'resolved' } as unknown as CaseRecord]);
    await until('b to hear of shop-1', () => b!.reloaded.includes('shop-1'), 5000);
    expect(a!.reloaded).toEqual([]); // an instance does not tell itself
  });
});
