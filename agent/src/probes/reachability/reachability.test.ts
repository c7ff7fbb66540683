import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDevice } from '../../config/types.ts';
import { reachabilityProbe } from './probe.ts';

const run = (device: Partial<AgentDevice>, timeoutMs = 1500) =>
  reachabilityProbe.run({ device: { id: 'd1', segment: 'router', ...device } as AgentDevice, timeoutMs, signal: new AbortController().signal });

describe('reachability probe', () => {
  let server: net.Server;
  let port: number;
  beforeAll(async () => {
    server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => server.close());

  it('reports a listening TCP port as reachable with a latency and no loss', async () => {
    const r = await run({ address: '127.0.0.1', reachability: { method: 'tcp', port } } as Partial<AgentDevice>);
    expect(r.reachable).toBe(true);
    expect(r.metrics?.lossPct).toBe(0);
    expect(r.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a refused TCP port as unreachable with full loss', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await run({ address: '127.0.0.1', reachability: { method: 'tcp', port: closed } } as Partial<AgentDevice>);
    expect(r.reachable).toBe(false);
    expect(r.conditions).toEqual(['unreachable']);
    expect(r.metrics?.lossPct).toBe(100);
    expect(r.error?.code).toBe('no-answer');
  });

  it('pings with ICMP by default and reports loss and latency from the burst', async () => {
    const r = await run({ address: '127.0.0.1' });
    expect(r.reachable).toBe(true);
    expect(r.metrics?.icmp).toBe(1);
    expect(r.metrics?.tcpFallback).toBeUndefined();
    expect(r.metrics?.lossPct).toBe(0);
  });

  it('falls back to TCP and says so when ICMP cannot be used', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = mkdtempSync(path.join(os.tmpdir(), 'no-ping-')); // no ping binary reachable
    try {
      const r = await run({ address: '127.0.0.1', reachability: { port } } as Partial<AgentDevice>);
      expect(r.reachable).toBe(true);
      expect(r.metrics?.tcpFallback).toBe(1);
      expect(r.metrics?.icmp).toBe(0);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
