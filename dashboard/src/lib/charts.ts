// What the device view charts: one entry per chart, its series (history fields) and their scales.
// A series is drawn when its field occurs in the fetched range; fields that never occur are listed as not measured.
import type { MessageKey } from './i18n.svelte.ts';

export type Metric = 'reachability' | 'latency' | 'image' | 'lte' | 'clock';
export type ScaleKey = 'pct' | 'ms' | 'ratio' | 'dbm' | 'db' | 's';

export interface SeriesDef {
  field: string;
  label: MessageKey;
  scale: ScaleKey;
  color: string;
  /** Dash pattern so series differ by more than colour. */
  dash?: number[];
  fill?: string;
  /** Multiplies the stored value (reachable 0/1 → %). */
  factor?: number;
  digits: number;
  stepped?: boolean;
}

export interface ChartDef {
  metric: Metric;
  title: MessageKey;
  series: SeriesDef[];
  /** Shown even with no data (with a "no samples" note); the others only when measured. */
  always?: boolean;
}

export const SCALE_UNITS: Record<ScaleKey, string> = { pct: '%', ms: ' ms', ratio: '', dbm: ' dBm', db: ' dB', s: ' s' };

const C = { green: '#5fcf8f', orange: '#f59e52', blue: '#6cb6ff', purple: '#b39dfa', yellow: '#e3c75e', red: '#ff6b6b' };

export const CHARTS: readonly ChartDef[] = [
  {
    metric: 'reachability',
    title: 'chart.reachability',
    always: true,
    series: [
      { field: 'reachable', label: 'series.reachable', scale: 'pct', color: C.green, fill: 'rgba(95,207,143,0.16)', factor: 100, digits: 0, stepped: true },
      { field: 'behindParent', label: 'series.behindParent', scale: 'pct', color: C.orange, dash: [6, 4], factor: 100, digits: 0, stepped: true },
    ],
  },
  {
    metric: 'latency',
    title: 'chart.latency',
    always: true,
    series: [
      { field: 'latencyMs', label: 'series.latencyMs', scale: 'ms', color: C.blue, digits: 1 },
      { field: 'onvifMs', label: 'series.onvifMs', scale: 'ms', color: C.purple, dash: [2, 3], digits: 0 },
      { field: 'lossPct', label: 'series.lossPct', scale: 'pct', color: C.red, dash: [6, 4], digits: 0 },
    ],
  },
  {
    metric: 'image',
    title: 'chart.image',
    series: [
      { field: 'sharpnessRatio', label: 'series.sharpnessRatio', scale: 'ratio', color: C.blue, digits: 2 },
      { field: 'hazeRatio', label: 'series.haze', scale: 'ratio', color: C.yellow, dash: [6, 4], digits: 2 },
      { field: 'haze', label: 'series.haze', scale: 'ratio', color: C.yellow, dash: [6, 4], digits: 2 },
    ],
  },
  {
    metric: 'lte',
    title: 'chart.lte',
    series: [
      { field: 'rsrp', label: 'series.rsrp', scale: 'dbm', color: C.blue, digits: 0 },
      { field: 'rsrq', label: 'series.rsrq', scale: 'db', color: C.purple, dash: [2, 3], digits: 1 },
      { field: 'sinr', label: 'series.sinr', scale: 'db', color: C.green, dash: [6, 4], digits: 1 },
    ],
  },
  {
    metric: 'clock',
    title: 'chart.clock',
    series: [{ field: 'clockDriftS', label: 'series.clockDriftS', scale: 's', color: C.yellow, digits: 1 }],
  },
];

export const CHART_FIELDS: readonly string[] = [...new Set(CHARTS.flatMap((c) => c.series.map((s) => s.field)))];
