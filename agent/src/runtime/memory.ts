// Keeps the agent's RSS near its live set (issue 3: 500 devices under 150 MB). A cycle of 500 devices leaves
// tens of MB of short-lived garbage (ONVIF XML, sockets, buffers) that V8 lets pile up over several cycles
// before a major collection (docs/bench-agent.md: 158 → 188 → 215 MB, then 143 MB). A full collection whenever
// the heap in use has grown past a threshold (checked after each cycle and once a second) flattens that
// saw-tooth at the cost of some CPU (docs/bench-agent.md).
import v8 from 'node:v8';
import vm from 'node:vm';

/** Heap in use above which the agent collects after a cycle. */
export const GC_THRESHOLD_BYTES = 40 * 1024 * 1024;

/** Runs a full GC when the heap in use is above `thresholdBytes`; undefined where V8 does not allow it. */
export function collector(thresholdBytes = GC_THRESHOLD_BYTES): (() => void) | undefined {
  const gc = fullGc();
  if (!gc) return undefined;
  return () => {
    if (v8.getHeapStatistics().used_heap_size > thresholdBytes) gc();
  };
}

/** A function running a full GC, or undefined where V8 does not allow it. */
export function fullGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
