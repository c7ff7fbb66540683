// Drops (site, seq) duplicates: QoS 1 is at-least-once, and the agent's outbox replays after a reconnect.
// Per site: a window of recently seen sequence numbers above a low-water mark.
const WINDOW = 4096;

export class SeqDedupe {
  private readonly seen = new Map<string, { floor: number; recent: Set<number> }>();

  /** True the first time (site, seq) is offered, false for a repeat. */
  accept(site: string, seq: number): boolean {
    let entry = this.seen.get(site);
    if (!entry) this.seen.set(site, (entry = { floor: 0, recent: new Set() }));
    if (seq <= entry.floor || entry.recent.has(seq)) return false;
    entry.recent.add(seq);
    if (entry.recent.size > WINDOW) {
      // Raise the floor past the oldest half; anything that old is a replay we have already stored.
      const sorted = [...entry.recent].sort((a, b) => a - b);
      const cut = sorted[WINDOW / 2]!;
      entry.floor = cut;
      for (const s of sorted) if (s <= cut) entry.recent.delete(s);
    }
    return true;
  }

  /** Seeds a site's floor from storage after a restart. */
  seed(site: string, floor: number): void {
    const entry = this.seen.get(site);
    if (!entry) this.seen.set(site, { floor, recent: new Set() });
    else entry.floor = Math.max(entry.floor, floor);
  }

  highest(site: string): number {
    const e = this.seen.get(site);
    if (!e) return 0;
    let max = e.floor;
    for (const s of e.recent) if (s > max) max = s;
    return max;
  }
}
