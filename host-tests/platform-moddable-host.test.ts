import { assert } from "./lib/assert";
import { MAX_TIMER_MS, ModdableHost } from "../firmware/platform/moddable-host";

const DAY = 24 * 3600 * 1000;

/**
 * Moddable's `Time` and `Timer` as the device has them: `ticks` wraps at 2^32 ms, `delta` is an int32,
 * and timer intervals go through int32 conversion (2^31 ms becomes negative and fires at once).
 * Time moves only when `runUntil` jumps to the next due timer.
 */
class FakeDevice {
  ms = 0;
  fired = 0;
  private timers: { at: number; cb: () => void; live: boolean }[] = [];
  readonly Time = {
    get ticks(): number {
      return dev.ms % 2 ** 32;
    },
    delta(a: number, b?: number): number {
      return ((b ?? dev.ms % 2 ** 32) - a) | 0;
    },
  };
  readonly Timer = {
    set(cb: () => void, ms: number) {
      const interval = Math.max(0, ms | 0); // int32 conversion; a negative interval fires at once
      const t = { at: dev.ms + interval, cb, live: true };
      dev.timers.push(t);
      return t;
    },
    schedule(t: { at: number; live: boolean }, ms: number) {
      if (!t.live) throw new Error("schedule of a timer that fired or was cleared");
      t.at = dev.ms + Math.max(0, ms | 0);
    },
    clear(t: { live: boolean }) {
      t.live = false;
    },
  };
  /** Fire due timers in order, jumping time to each, until `end` (or `limit` fires). */
  runUntil(end: number, limit = 1000): void {
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      const next = this.timers.reduce<{ at: number } | null>((a, t) => (a === null || t.at < a.at ? t : a), null) as
        | { at: number; cb: () => void; live: boolean }
        | null;
      if (next === null || next.at > end) break;
      if (++this.fired > limit) throw new Error(`timer spinning: more than ${limit} fires`);
      this.ms = next.at;
      next.live = false;
      next.cb();
    }
    this.ms = end;
  }
}
let dev: FakeDevice;

describe("ModdableHost (fake Moddable Time and Timer: 2^32 wrap, int32 intervals)", () => {
  beforeEach(() => {
    dev = new FakeDevice();
  });

  it("keeps now() monotonic over 50 days with no timer armed, through a keep-alive every 2^30 ms", () => {
    const host = new ModdableHost(dev.Timer, dev.Time);
    host.clearTimer();
    const seen: number[] = [];
    for (let d = 1; d <= 50; d++) {
      dev.runUntil(d * DAY);
      seen.push(host.now());
    }
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => (i + 1) * DAY));
    // 50 days / 2^30 ms: 4 keep-alive fires, no spinning
    assert.equal(dev.fired, Math.floor((50 * DAY) / MAX_TIMER_MS));
  });

  it("ends a 40-day wait on time, in steps of at most 2^30 ms, without spinning", () => {
    const host = new ModdableHost(dev.Timer, dev.Time);
    let at = -1;
    host.setTimer(40 * DAY, () => {
      at = host.now();
    });
    dev.runUntil(39 * DAY);
    assert.equal(at, -1);
    dev.runUntil(41 * DAY);
    assert.equal(at, 40 * DAY);
    // three steps of 2^30 ms, then the rest: 4 fires in all
    assert.equal(dev.fired, 4);
  });

  it("a 2^31 ms deadline is not an int32 trap: it does not fire early", () => {
    const host = new ModdableHost(dev.Timer, dev.Time);
    let fired = 0;
    host.setTimer(2 ** 31, () => fired++);
    dev.runUntil(2 ** 31 - 1);
    assert.equal(fired, 0);
    dev.runUntil(2 ** 31);
    assert.equal(fired, 1);
  });
});
