// Counters, gauges and histograms rendered in Prometheus text format at /metrics.
const labelKey = (labels: Record<string, string>) =>
  Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',');

interface Histogram {
  help: string;
  buckets: number[];
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();
  private readonly histograms = new Map<string, Histogram>();

  counter(name: string, help: string): (labels?: Record<string, string>, by?: number) => void {
    const entry = this.counters.get(name) ?? { help, values: new Map<string, number>() };
    this.counters.set(name, entry);
    return (labels = {}, by = 1) => {
      const key = labelKey(labels);
      entry.values.set(key, (entry.values.get(key) ?? 0) + by);
    };
  }

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  /** A histogram; `observe(value, n)` records n observations of the same value (one per sample in a batch). */
  histogram(name: string, help: string, buckets: number[]): (value: number, n?: number) => void {
    const h: Histogram = { help, buckets: [...buckets].sort((a, b) => a - b), counts: buckets.map(() => 0), sum: 0, count: 0 };
    this.histograms.set(name, h);
    return (value, n = 1) => {
      for (let i = 0; i < h.buckets.length; i++) if (value <= h.buckets[i]!) h.counts[i]! += n;
      h.sum += value * n;
      h.count += n;
    };
  }

  value(name: string, labels: Record<string, string> = {}): number {
    return this.counters.get(name)?.values.get(labelKey(labels)) ?? 0;
  }

  /** Sum over every label set of a counter. */
  total(name: string): number {
    let sum = 0;
    for (const v of this.counters.get(name)?.values.values() ?? []) sum += v;
    return sum;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, { help, values }] of this.counters) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of values) out.push(`${name}${labels ? `{${labels}}` : ''} ${v}`);
    }
    for (const [name, { help, read }] of this.gauges) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${read()}`);
    }
    for (const [name, h] of this.histograms) {
      out.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`);
      h.buckets.forEach((b, i) => out.push(`${name}_bucket{le="${b}"} ${h.counts[i]}`));
      out.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
    }
    return out.join('\n') + '\n';
  }
}
