/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4) that every Prometheus-compatible scraper reads. Runtime-free
 * (no prom-client, no node:*), so the same metrics work on Node and inside the Workers object.
 */

type Labels = Record<string, string>

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const formatNumber = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN')

function labelText(names: readonly string[], labels: Labels, extra?: [string, string]): string {
  const pairs = names.map((name) => `${name}="${escapeLabel(labels[name] ?? '')}"`)
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`)
  return pairs.length ? `{${pairs.join(',')}}` : ''
}

abstract class Metric<L extends string> {
  protected readonly series = new Map<string, { labels: Labels; value: number }>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    private readonly type: 'counter' | 'gauge',
  ) {}

  protected key(labels: Partial<Record<L, string>>): string {
    return this.labelNames.map((n) => labels[n] ?? '').join('\u0000')
  }

  protected entry(labels: Partial<Record<L, string>>): { labels: Labels; value: number } {
    const key = this.key(labels)
    let entry = this.series.get(key)
    if (!entry) {
      entry = { labels: { ...(labels as Labels) }, value: 0 }
      this.series.set(key, entry)
    }
    return entry
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`]
    for (const { labels, value } of this.series.values()) lines.push(`${this.name}${labelText(this.labelNames, labels)} ${formatNumber(value)}`)
    return lines.join('\n')
  }
}

export class Counter<L extends string = never> extends Metric<L> {
  constructor(name: string, help: string, labelNames: readonly L[] = []) {
    super(name, help, labelNames, 'counter')
  }

  inc(labels: Partial<Record<L, string>> = {}, by = 1): void {
    this.entry(labels).value += by
  }

  value(labels: Partial<Record<L, string>> = {}): number {
    return this.series.get(this.key(labels))?.value ?? 0
  }
}

/** A value read at scrape time (outbox depth) or set when it changes. */
export class Gauge<L extends string = never> extends Metric<L> {
  constructor(name: string, help: string, labelNames: readonly L[] = []) {
    super(name, help, labelNames, 'gauge')
  }

  set(labels: Partial<Record<L, string>>, value: number): void {
    this.entry(labels).value = value
  }

  /** Forget every series, before a collector sets the ones that exist now. */
  reset(): void {
    this.series.clear()
  }
}

export class Histogram<L extends string = never> {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    /** Upper bounds, ascending; +Inf is implied. */
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Partial<Record<L, string>>, value: number): void {
    const key = this.labelNames.map((n) => labels[n] ?? '').join('\u0000')
    let entry = this.series.get(key)
    if (!entry) {
      entry = { labels: { ...(labels as Labels) }, counts: this.buckets.map(() => 0), sum: 0, count: 0 }
      this.series.set(key, entry)
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) entry.counts[i]!++
    entry.sum += value
    entry.count++
  }

  count(labels: Partial<Record<L, string>> = {}): number {
    return this.series.get(this.labelNames.map((n) => labels[n] ?? '').join('\u0000'))?.count ?? 0
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket${labelText(this.labelNames, labels, ['le', formatNumber(bound)])} ${counts[i]}`))
      lines.push(`${this.name}_bucket${labelText(this.labelNames, labels, ['le', '+Inf'])} ${count}`)
      lines.push(`${this.name}_sum${labelText(this.labelNames, labels)} ${formatNumber(sum)}`)
      lines.push(`${this.name}_count${labelText(this.labelNames, labels)} ${count}`)
    }
    return lines.join('\n')
  }
}

export class MetricsRegistry {
  private readonly metrics: { render(): string }[] = []
  private readonly collectors: (() => Promise<void>)[] = []

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.add(new Counter(name, help, labelNames))
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.add(new Gauge(name, help, labelNames))
  }

  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): Histogram<L> {
    return this.add(new Histogram(name, help, labelNames, buckets))
  }

  /** Runs before each scrape: reads what is cheaper to count in the database than to track. */
  collectBeforeScrape(collect: () => Promise<void>): void {
    this.collectors.push(collect)
  }

  /** The text exposition format, `Content-Type: text/plain; version=0.0.4`. */
  async render(): Promise<string> {
    await Promise.all(this.collectors.map((collect) => collect()))
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`
  }

  private add<M extends { render(): string }>(metric: M): M {
    this.metrics.push(metric)
    return metric
  }
}
