import type { ServerConfig } from '../config.ts';
import { InfluxTimeSeriesStore } from './influx-store.ts';
import { MemoryTimeSeriesStore } from './memory-store.ts';
import type { TimeSeriesStore } from './types.ts';

export type { SampleRow, TimeSeriesStore, StoreHealth, HistoryQuery } from './types.ts';

export function createTimeSeriesStore(cfg: Pick<ServerConfig, 'influxUrl'>, log: (m: string) => void): TimeSeriesStore {
  return cfg.influxUrl ? new InfluxTimeSeriesStore({ url: cfg.influxUrl, log }) : new MemoryTimeSeriesStore();
}
