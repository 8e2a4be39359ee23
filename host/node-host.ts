import type { Host } from "../firmware/sched/host";
import { setDefaultHost } from "../firmware/sched/api";

/** The scheduler's host on Node: setImmediate for the next turn, one setTimeout, performance.now. */
export class NodeHost implements Host {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly t0 = performance.now();
  /** Milliseconds since this host was created. */
  now(): number {
    return performance.now() - this.t0;
  }
  soon(cb: () => void): void {
    setImmediate(cb);
  }
  setTimer(deadline: number, cb: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      cb();
    }, Math.max(0, deadline - this.now()));
  }
  clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
  print(line: string): void {
    process.stderr.write(line + "\n");
  }
}

/** Install the Node host as the default for `run()`. */
export function useNode(): NodeHost {
  const h = new NodeHost();
  setDefaultHost(h);
  return h;
}
