// Grows a rendered row count towards a limit a chunk per animation frame, so a long table's first render is a few
// short tasks (the first screenful first) instead of one long one. Used by the overview's tables.
export const FIRST_ROWS = 60;
const STEP_ROWS = 120;

export class Progressive {
  /** How many rows may be rendered now. */
  count: number;

  /** Call from a component's script: follows `limit()` (e.g. a page size raised by "show more"). */
  constructor(limit: () => number, first = FIRST_ROWS, step = STEP_ROWS) {
    this.count = $state(first);
    $effect(() => {
      const target = limit();
      if (this.count >= target) return;
      const id = requestAnimationFrame(() => {
        this.count = Math.min(target, this.count + step);
      });
      return () => cancelAnimationFrame(id);
    });
  }
}
