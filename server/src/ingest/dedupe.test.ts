import { describe, expect, it } from 'vitest';
import { SeqDedupe } from './dedupe.ts';

describe('SeqDedupe (the in-memory fast path)', () => {
  it('drops a recent repeat of the same batch, not a new batch with a reused number', () => {
    const d = new SeqDedupe();
    expect(d.accept('s', 1, 'A')).toBe(true);
    expect(d.accept('s', 1, 'A')).toBe(false);
    expect(d.accept('s', 1, 'B')).toBe(true); // the agent's sequence restarted
    expect(d.accept('t', 1, 'A')).toBe(true); // another site
  });

  it('forgets beyond its window (the database claim decides then) and honours the pruned floor', () => {
    const d = new SeqDedupe();
    for (let seq = 1; seq <= 100; seq++) d.accept('s', seq, 'x');
    expect(d.accept('s', 1, 'x')).toBe(true); // no longer remembered here
    expect(d.accept('s', 100, 'x')).toBe(false);
    d.seed('s', 50);
    expect(d.accept('s', 10, 'new')).toBe(false);
  });
});
