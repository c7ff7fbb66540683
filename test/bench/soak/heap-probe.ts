// Preloaded into the soak's server process (node --import tsx --import this file): every 2 s it appends the
// process's memory figures to the file named by CAMFLEET_SOAK_MEMORY_FILE. RSS alone saw-tooths with every major
// GC; the V8 heap in use after collections is what a leak would raise. Not part of the server; the soak only.
import { appendFileSync } from 'node:fs';

const file = process.env.CAMFLEET_SOAK_MEMORY_FILE;
if (file) {
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers })}\n`);
  }, 2000).unref();
}
