import path from 'node:path';
import type { ServerConfig } from '../config.ts';
import { InfluxTimeSeriesStore } from './influx-store.ts';
import { MemoryTimeSeriesStore } from './memory-store.ts';
import type { TimeSeriesStore } from './types.ts';

export type { SampleRow, TimeSeriesStore, StoreHealth, HistoryQuery, HistoryResult } from './types.ts';

export function createTimeSeriesStore(
  cfg: Pick<ServerConfig, 'influxUrl' | 'dataDir'> & Partial<Pick<ServerConfig, 'influxRetention' | 'tsMemoryPoints' | 'tsSpillBytes'>>,
  log: (m: string) => void,
  onStored?: (points: number, lagS: number) => void,
): TimeSeriesStore {
  // Embedded: kept across restarts in CAMFLEET_DATA_DIR/timeseries (embedded-disk.ts).
  if (!cfg.influxUrl) return new MemoryTimeSeriesStore({ dir: path.join(cfg.dataDir, 'timeseries'), log });
  return new InfluxTimeSeriesStore({
    url: cfg.influxUrl,
    spillDir: path.join(cfg.dataDir, 'timeseries-spill'),
    log,
    ...(onStored ? { onStored } : {}),
    ...(cfg.influxRetention ? { retention: cfg.influxRetention } : {}),
    ...(cfg.tsMemoryPoints ? { maxMemoryPoints: cfg.tsMemoryPoints } : {}),
    ...(cfg.tsSpillBytes ? { maxSpillBytes: cfg.tsSpillBytes } : {}),
  });
}
