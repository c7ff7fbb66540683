// Splits a cycle's samples into telemetry batches that stay well under the server's payload limit
// (MAX_PAYLOAD_BYTES, 256 KiB) and the schema's 2000 samples: usually one batch per cycle.
import { MAX_PAYLOAD_BYTES, type DeviceSample } from '@camfleet/shared';

export const MAX_SAMPLES_PER_BATCH = 500;
/** Room for the envelope (site, agent, seq, at) and a margin. */
const BUDGET = MAX_PAYLOAD_BYTES - 8 * 1024;

export function splitSamples(samples: readonly DeviceSample[]): DeviceSample[][] {
  const batches: DeviceSample[][] = [];
  let current: DeviceSample[] = [];
  let bytes = 0;
  for (const s of samples) {
    const size = Buffer.byteLength(JSON.stringify(s)) + 1;
    if (current.length > 0 && (bytes + size > BUDGET || current.length >= MAX_SAMPLES_PER_BATCH)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(s);
    bytes += size;
  }
  batches.push(current); // an empty cycle still sends one (empty) batch: the agent is alive
  return batches;
}
