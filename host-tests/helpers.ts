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

/**
 * In a generator task: run `operation` and return the error it raised, failing the test if it completed
 * (the assertion sits outside any catch, so a test using it cannot pass by nothing being thrown).
 */
export function* raised(operation: Iterable<unknown>): Gen<unknown> {
  let error: unknown;
  let threw = false;
  try {
    yield* operation as Gen<unknown>;
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw) throw new Error("expected the operation to raise, but it completed");
  return error;
}

/** "Name: message" of an error a test caught, for exact expected logs. */
export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * In an async task: start the operation `start()` returns, await it and return the error it raised,
 * failing the test if it completed. (An operation that fails at once throws when it is started, so it is
 * started in here.)
 */
export async function rejection(start: () => PromiseLike<unknown>): Promise<unknown> {
  let error: unknown;
  let threw = false;
  try {
    await start();
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw) throw new Error("expected the operation to raise, but it completed");
  return error;
}
