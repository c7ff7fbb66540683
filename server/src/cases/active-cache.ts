// The active (open, acknowledged) cases of every site, in memory. The case engine needs a site's active cases each
// time the site is evaluated — after every telemetry batch and every peer delta, i.e. per device change at fleet
// scale — so reading them from the database each time was a query per change. The copy here is kept right by:
//  - this instance's own writes (the store returns each changed row, and the service applies it here);
//  - marking a site stale, to be reloaded (one query) before its next evaluation, whenever the database said
//    something the copy did not expect (an insert that met an active case: the unique index is the arbiter; an
//    update that found the case no longer active), when an operator changed a case through the API, and when a
//    peer instance says it changed cases of the site (cases/realtime.ts);
//  - a fleet-wide reconcile (one query for every active case) at start and every so often, which also covers a
//    peer's message that never arrived.
// Loads and reconciles race with writes; generations decide who wins: a snapshot taken before a newer local
// change or stale mark never overwrites it.
import type { ActiveCase } from './engine.ts';

export interface ActiveCaseSource {
  /** One site's active cases (a query). */
  active(site: string): Promise<ActiveCase[]>;
  /** Every active case of the fleet by site (one query). */
  allActive(): Promise<Map<string, ActiveCase[]>>;
}

export class ActiveCaseCache {
  private readonly bySite = new Map<string, Map<number, ActiveCase>>();
  private initial: Promise<void> | undefined;
  private gen = 0;
  /** Site → generation of the newest data written into the copy (a local change or a site reload). */
  private readonly writtenAt = new Map<string, number>();
  /** Site → generation at which it was marked stale; a load that began later clears it. */
  private readonly staleAt = new Map<string, number>();
  /** Site reloads and fleet-wide reconciles done (tests, debugging). */
  siteLoads = 0;
  reconciles = 0;

  constructor(private readonly source: ActiveCaseSource) {}

  /** The site's active cases; the first call loads the fleet, a stale site is reloaded first. */
  async get(site: string): Promise<ActiveCase[]> {
    await (this.initial ??= this.reconcile().catch((err: unknown) => {
      this.initial = undefined; // the next evaluation tries again
      throw err;
    }));
    if (this.staleAt.has(site)) await this.reload(site);
    return [...(this.bySite.get(site)?.values() ?? [])];
  }

  /** This instance wrote the case: `active` is its row now, or null once it is no longer active. */
  applyChange(site: string, id: number, active: ActiveCase | null): void {
    let cases = this.bySite.get(site);
    if (active) {
      if (!cases) this.bySite.set(site, (cases = new Map()));
      cases.set(id, active);
    } else if (cases) {
      cases.delete(id);
      if (cases.size === 0) this.bySite.delete(site);
    }
    this.writtenAt.set(site, ++this.gen);
  }

  /** The copy of the site may be wrong: reload it before its next evaluation. */
  invalidate(site: string): void {
    this.staleAt.set(site, ++this.gen);
  }

  isStale(site: string): boolean {
    return this.staleAt.has(site);
  }

  /** Replaces the copy with the database's view of every site not changed or marked since the query began. */
  async reconcile(): Promise<void> {
    const start = ++this.gen;
    const all = await this.source.allActive();
    this.reconciles++;
    for (const site of new Set([...this.bySite.keys(), ...all.keys(), ...this.staleAt.keys()])) {
      if ((this.writtenAt.get(site) ?? 0) > start || (this.staleAt.get(site) ?? 0) > start) continue;
      this.set(site, all.get(site) ?? []);
      this.staleAt.delete(site);
    }
  }

  private async reload(site: string): Promise<void> {
    const start = ++this.gen;
    const list = await this.source.active(site);
    this.siteLoads++;
    this.set(site, list);
    // Newer than any reconcile already under way: that one must not put its older snapshot back.
    this.writtenAt.set(site, ++this.gen);
    // Marked again while the query ran: the change may not be in it, so reload once more next time.
    if ((this.staleAt.get(site) ?? 0) < start) this.staleAt.delete(site);
  }

  private set(site: string, list: readonly ActiveCase[]): void {
    if (list.length === 0) this.bySite.delete(site);
    else this.bySite.set(site, new Map(list.map((c) => [c.id, c])));
  }
}
