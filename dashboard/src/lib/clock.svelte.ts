// A shared ticking clock: `now` on every second boundary (header clock), `coarse` every 15 s (table durations).
const COARSE_MS = 15_000;

class Clock {
  now = $state(Date.now());
  coarse = $state(Date.now());

  constructor() {
    if (typeof window !== 'undefined') this.#tick();
  }

  #tick = (): void => {
    const now = Date.now();
    this.now = now;
    if (now - this.coarse >= COARSE_MS) this.coarse = now;
    setTimeout(this.#tick, 1000 - (now % 1000));
  };
}

export const clock = new Clock();
