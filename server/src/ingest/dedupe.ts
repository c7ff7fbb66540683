// The in-memory fast path of duplicate drop: QoS 1 is at-least-once and the agent's outbox replays after a
// reconnect, so the same batch often arrives twice within moments. Per site it remembers the last RECENT
// batches (seq and batch time); a batch equal to one of them is a repeat. Anything else goes on to the
// database claim (claims.ts), which is the authority across restarts and instances — so this never has to
// guess about older sequence numbers, and its memory is bounded (RECENT entries per site).
// A batch is its (seq, at): an agent whose sequence restarted (state dir wiped) sends new batches with old
// numbers but new times, and those are not duplicates.
const RECENT = 64;

interface SiteWindow {
  /** Claims older than the retention were pruned: every seq at or under this is a duplicate. */
  floor: number;
  seqs: number[];
  ats: string[];
  next: number;
}

export class SeqDedupe {
  private readonly sites = new Map<string, SiteWindow>();

  /** True the first time (site, seq, at) is offered, false for a recent repeat. */
  accept(site: string, seq: number, at = ''): boolean {
    let w = this.sites.get(site);
    if (!w) this.sites.set(site, (w = { floor: 0, seqs: [], ats: [], next: 0 }));
    if (seq <= w.floor) return false;
    for (let i = 0; i < w.seqs.length; i++) if (w.seqs[i] === seq && w.ats[i] === at) return false;
    w.seqs[w.next] = seq;
    w.ats[w.next] = at;
    w.next = (w.next + 1) % RECENT;
    return true;
  }

  /** Seeds a site's floor from storage after a restart (the claims' prune horizon). */
  seed(site: string, floor: number): void {
    const w = this.sites.get(site);
    if (!w) this.sites.set(site, { floor, seqs: [], ats: [], next: 0 });
    else w.floor = Math.max(w.floor, floor);
  }
}
