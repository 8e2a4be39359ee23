import Timer from "timer";
import Time from "time";
import type { Host } from "../sched/host";
import { setDefaultHost } from "../sched/api";

/**
 * The scheduler's host on a Moddable device: one `Timer` for the earliest deadline, `Timer.set(cb)` for
 * "next run-loop turn", and a millisecond clock that never wraps, accumulated from `Time.ticks` with the
 * wrap-safe `Time.delta` (read at least once per half tick period, which every timer expiry does).
 */
export class ModdableHost implements Host {
  private last = Time.ticks;
  private acc = 0;
  private timer: Timer | undefined = undefined;
  private cb: (() => void) | null = null;
  private readonly fire = (): void => {
    this.timer = undefined;
    const cb = this.cb;
    this.cb = null;
    if (cb) cb();
  };

  now(): number {
    const t = Time.ticks;
    this.acc += Time.delta(this.last, t);
    this.last = t;
    return this.acc;
  }

  soon(cb: () => void): void {
    Timer.set(cb);
  }

  setTimer(deadline: number, cb: () => void): void {
    const ms = Math.max(0, Math.ceil(deadline - this.now()));
    this.cb = cb;
    if (this.timer !== undefined) Timer.schedule(this.timer, ms);
    else this.timer = Timer.set(this.fire, ms);
  }

  clearTimer(): void {
    this.cb = null;
    if (this.timer !== undefined) {
      Timer.clear(this.timer);
      this.timer = undefined;
    }
  }

  print(line: string): void {
    trace(line + "\n");
  }
}

/** Install the Moddable host as the default for `run()`. */
export function useModdable(): ModdableHost {
  const h = new ModdableHost();
  setDefaultHost(h);
  return h;
}
