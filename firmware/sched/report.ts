import type { Task } from "./task";

/** Called for a failure nobody will see otherwise: a task nobody awaits, or a callback that threw. */
export type ExceptionHandler = (error: unknown, context: { task?: Task; message: string }) => void;

/**
 * Where failures nobody awaits go. A task that fails unobserved is reported one whole scheduler round
 * later, and only if nobody retrieved its error meanwhile (`join()`, `result`, `error`, gather, groups),
 * as asyncio and MicroPython defer "exception never retrieved". A throwing handler never stops the
 * scheduler: its own failure goes to the fallback printer, and a throwing printer is ignored.
 */
export class Reports {
  private handler: ExceptionHandler;
  /** failed this round */ private fresh: Task[] = [];
  /** failed last round: reported at the start of the next one unless retrieved */ private aging: Task[] = [];

  constructor(private readonly print: (line: string) => void) {
    this.handler = (e, ctx) => this.fallback(e, ctx);
  }

  /** Replace the handler; returns the previous one. */
  setHandler(h: ExceptionHandler): ExceptionHandler {
    const old = this.handler;
    this.handler = h;
    return old;
  }

  report(error: unknown, context: { task?: Task; message: string }): void {
    try {
      this.handler(error, context);
    } catch (e) {
      this.fallback(e, { message: "exception handler failed" });
    }
  }

  /** True while some failure waits for its report: the scheduler keeps running rounds until it is out. */
  get pending(): boolean {
    return this.fresh.length > 0 || this.aging.length > 0;
  }

  /** `t` failed and nobody was watching: report it later unless its error is retrieved first. */
  defer(t: Task): void {
    this.fresh.push(t);
  }

  /** A round starts: report what failed before the previous round and is still unretrieved. */
  roundStarts(): void {
    if (this.aging.length > 0) {
      const due = this.aging;
      this.aging = [];
      for (const t of due) {
        if (t.ext === null || !t.ext.seen) this.report(t.value, { task: t, message: "unhandled error in a task nobody awaits" });
      }
    }
    if (this.fresh.length > 0) {
      this.aging = this.fresh;
      this.fresh = [];
    }
  }

  private fallback(error: unknown, ctx: { task?: Task; message: string }): void {
    try {
      const where = ctx.task ? `task ${ctx.task.name}: ` : "";
      this.print(`${where}${ctx.message}: ${describeError(error)}`);
    } catch {
      // nothing left to report to
    }
  }
}

/** "Name: message" plus the stack when the engine keeps one. Never reads a function's name. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const head = `${error.name}: ${error.message}`;
  const stack = typeof error.stack === "string" ? error.stack : "";
  if (stack === "") return head;
  return stack.indexOf(error.message) >= 0 ? stack : `${head}\n${stack}`;
}
