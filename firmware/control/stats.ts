import { activeScheduler } from "../sched/kernel";

/**
 * What has counters: every driver's `stats()` (HTU21D, UART reader and writer, HalfDuplex, NecReceiver,
 * Pushbutton, PinEdges, ManagedResource) returns a flat object whose numbers are its counters; other
 * fields (flags, lists) are left out of listings.
 */
export interface StatsSource {
  stats(): object;
}

/**
 * The counters of a running system in one place, for the console's `stats` and for soak tests: parts
 * attach their drivers by name when they open them and detach them when they close. The scheduler's
 * timer-queue size is always listed (`sched timers=N`).
 * Memory: a Map entry per attached source; a listing allocates its lines.
 * @example
 *   const board = new StatsBoard();
 *   board.attach("htu21d", htu);            // when the service opens the sensor
 *   board.lines();                          // ["htu21d samples=12 crcErrors=0 ...", "sched timers=7"]
 *   board.detach("htu21d", htu);            // when it closes
 */
export class StatsBoard {
  private readonly sources = new Map<string, StatsSource>();

  /** List `source` under `name` (replacing what was there). */
  attach(name: string, source: StatsSource): void {
    this.sources.set(name, source);
  }

  /** Remove `name`, if it is still `source` (a restarted part may have attached a new one). */
  detach(name: string, source?: StatsSource): void {
    if (source === undefined || this.sources.get(name) === source) this.sources.delete(name);
  }

  /** The names attached, in the order they were first attached. */
  names(): string[] {
    return [...this.sources.keys()];
  }

  /** Every counter: `{ name: { counter: value } }`, plus `sched.timers`. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, src] of this.sources) out[name] = numbers(src.stats());
    out["sched"] = { timers: activeScheduler().timerCount };
    return out;
  }

  /** One line per source: `name k=v k=v` (numbers only). */
  lines(): string[] {
    const snap = this.snapshot();
    return Object.keys(snap).map((name) => {
      const c = snap[name]!;
      const kv = Object.keys(c).map((k) => `${k}=${fmt(c[k]!)}`);
      return kv.length > 0 ? `${name} ${kv.join(" ")}` : name;
    });
  }
}

function numbers(o: object): Record<string, number> {
  const out: Record<string, number> = {};
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    const v = r[k];
    if (typeof v === "number") out[k] = v;
  }
  return out;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
