import { VirtualHost, runOn, now, type Gen, type VirtualHostOptions } from "../firmware/sched/index";

/** Run `fn` on a fresh scheduler with an autojumping virtual clock; resolves with its result. */
export function vrun<R>(fn: () => Gen<R> | PromiseLike<R> | R, opts: VirtualHostOptions = {}): Promise<R> {
  return runOn(new VirtualHost(opts), fn);
}

/** A log of events stamped with virtual time: `log.add("x")` records "x@<ms>". */
export class Log {
  readonly items: string[] = [];
  add(s: string): void {
    this.items.push(`${s}@${Math.round(now() * 1000) / 1000}`);
  }
  plain(s: string): void {
    this.items.push(s);
  }
}
