// Deterministic fuzz payloads for the telemetry topics. Every generated payload is invalid by
// construction (so the test knows exactly how many rejects to expect); `valid` makes the good traffic
// sent in between.
import { telemetry } from '../bench/ingest/sim-agents.ts';

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  kind: string;
  /** The site named in the topic. */
  topicSite: string;
  topicKind: 'telemetry' | 'event';
  payload: Buffer;
}

const STRUCTURAL = new Set(['{', '}', '[', ']', ',', '"']);
const deep = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

export function fuzzCase(i: number, r: () => number, sites: string[]): FuzzCase {
  const site = sites[Math.floor(r() * sites.length)]!;
  const valid = () => telemetry(site, 1_000_000 + i, Date.now(), 5);
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const pick = Math.floor(r() * 13);
  const c = (kind: string, payload: Buffer, topicSite = site, topicKind: 'telemetry' | 'event' = 'telemetry'): FuzzCase => ({ kind, topicSite, topicKind, payload });
  switch (pick) {
    case 0: {
      const bytes = Buffer.alloc(Math.floor(r() * 2000));
      for (let k = 0; k < bytes.length; k++) bytes[k] = Math.floor(r() * 256);
      // A random byte string that happens to be a bare JSON value is still not a batch.
      return c('random-bytes', bytes);
    }
    case 1: {
      const text = JSON.stringify(valid());
      return c('truncated', Buffer.from(text.slice(0, Math.floor(r() * (text.length - 1)))));
    }
    case 2: {
      const b = valid() as unknown as Record<string, unknown>;
      const field = ['v', 'site', 'agent', 'seq', 'at', 'samples'][Math.floor(r() * 6)]!;
      const wrong: unknown[] = [null, true, 'x', -1, 0.5, {}, [], 'yesterday', 2];
      b[field] = wrong[Math.floor(r() * wrong.length)];
      if (field === 'site' && typeof b.site === 'string') b.site = 123;
      if (field === 'seq' && b.seq === 2) b.seq = 'two';
      if (field === 'v' && b.v === 2) b.v = 'one';
      if (field === 'agent') b.agent = { nested: true };
      if (field === 'samples' && Array.isArray(b.samples)) b.samples = 'none';
      return c('wrong-type', json(b));
    }
    case 3: {
      const b = valid() as unknown as { samples: Record<string, unknown>[] };
      const s = b.samples[0]!;
      const which = Math.floor(r() * 4);
      if (which === 0) s.reachable = 'yes';
      else if (which === 1) s.metrics = { latencyMs: 'fast' };
      else if (which === 2) s.conditions = ['on-fire'];
      else s.device = 'bad/device id';
      return c('wrong-sample', json(b));
    }
    case 4: {
      const b = valid();
      b.samples = Array.from({ length: 2001 }, (_, k) => ({ device: `d${k}`, at: b.at, reachable: true, conditions: [] }));
      return c('huge-array', json(b));
    }
    case 5:
      return c('deep-nesting', Buffer.from(deep(5000 + Math.floor(r() * 100_000), '[', ']')));
    case 6: {
      const b = valid() as unknown as { samples: Record<string, unknown>[] };
      b.samples[0]!.metrics = { latencyMs: JSON.parse(deep(200, '{"a":', '}', '{}')) as unknown };
      return c('deep-object', json(b));
    }
    case 7: {
      // A 1 MB string: over the 256 KiB limit (only now and then: they are big).
      if (r() < 0.1) return c('1mb-string', json({ ...valid(), agent: 'x'.repeat(1024 * 1024) }));
      return c('long-string', json({ ...valid(), agent: 'x'.repeat(101 + Math.floor(r() * 5000)) }));
    }
    case 8: {
      const other = sites.find((s) => s !== site)!;
      return c('wrong-site', json(valid()), other);
    }
    case 9:
      return c('unknown-site', json({ ...valid(), site: `ghost-${i % 7}` }), `ghost-${i % 7}`);
    case 10: {
      const text = Buffer.from(JSON.stringify(valid()));
      const positions: number[] = [];
      for (let k = 0; k < text.length; k++) if (STRUCTURAL.has(String.fromCharCode(text[k]!))) positions.push(k);
      const at = positions[Math.floor(r() * positions.length)]!;
      text[at] = 0x61 + Math.floor(r() * 26); // a structural character becomes a letter: never JSON
      return c('mutated', text);
    }
    case 11:
      return c('event-wrong', json({ v: 1, site, agent: 'a', seq: 1, at: new Date().toISOString(), kind: 'explosion' }), site, 'event');
    default: {
      const b = valid() as unknown as Record<string, unknown>;
      b.samples = { 0: 'not-an-array' };
      b.extra = Array.from({ length: 1000 }, () => r());
      return c('object-for-array', json(b));
    }
  }
}
