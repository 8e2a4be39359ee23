import { formatDuration, formatStamp, show, showArgs, traceback } from "./time";

/** What a status listing needs to know about one task (a registry entry or a service's task). */
export interface TaskInfo {
  readonly name: string;
  readonly state: "new" | "running" | "done" | "failed" | "cancelled";
  readonly args: readonly unknown[];
  /** When the current (or last) run started, on the scheduler clock (ms). */
  readonly startedAt: number;
  /** When it ended (ms); meaningless while running. */
  readonly endedAt: number;
  readonly result: unknown;
  readonly error: unknown;
  readonly starts: number;
  /** Per-task profile, when profiled. */
  readonly profile?: { resumes: number; runMs: number; maxStepMs: number; stalls: number } | undefined;
}

/** Options of {@link statusLines}. */
export interface StatusOptions {
  /** Add args, run time, traceback and profile lines (aioctl's debug mode). */
  verbose?: boolean;
  /** The wall-clock time (epoch ms) matching `now`, to print dates instead of scheduler times. */
  wallAtNow?: number;
}

const MARK: Record<TaskInfo["state"], string> = { new: "○", running: "●", done: "●", failed: "×", cancelled: "○" };

/**
 * The systemd-like listing of asyncmd's aioctl.status(), as lines (a pure function of its inputs):
 *
 *     ● blink: running since t+0.000s; 4 s ago
 *     ● once: done @ t+1.000s; 3 s ago --> result: 42
 *     × bad: failed @ t+2.000s; 1 s ago --> Error: boom
 *     ○ old: cancelled @ t+2.500s; 500 ms ago
 *
 * `verbose` adds `    ┗━► ` lines: arguments, run time, traceback, profile.
 */
export function statusLines(tasks: readonly TaskInfo[], now: number, opts: StatusOptions = {}): string[] {
  const out: string[] = [];
  const at = (t: number): string => formatStamp(t, now, opts.wallAtNow);
  for (const t of tasks) {
    let line = `${MARK[t.state]} ${t.name}: `;
    switch (t.state) {
      case "new":
        line += "not started";
        break;
      case "running":
        line += `running since ${at(t.startedAt)}; ${formatDuration(now - t.startedAt)} ago`;
        break;
      case "done":
        line += `done @ ${at(t.endedAt)}; ${formatDuration(now - t.endedAt)} ago --> result: ${t.result === undefined ? "" : show(t.result)}`;
        break;
      case "failed":
        line += `failed @ ${at(t.endedAt)}; ${formatDuration(now - t.endedAt)} ago --> ${show(t.error)}`;
        break;
      case "cancelled":
        line += `cancelled @ ${at(t.endedAt)}; ${formatDuration(now - t.endedAt)} ago`;
        break;
    }
    out.push(line);
    if (opts.verbose !== true) continue;
    const sub = (s: string): number => out.push(`    ┗━► ${s}`);
    sub(`args: ${showArgs(t.args)}`);
    if (t.state !== "new") sub(`runtime: ${formatDuration((t.state === "running" ? now : t.endedAt) - t.startedAt)}; starts: ${t.starts}`);
    if (t.state === "failed") for (const l of traceback(t.error)) out.push(`        ${l}`);
    const p = t.profile;
    if (p !== undefined) sub(`profile: ${p.resumes} resumes, ${Math.round(p.runMs * 1000) / 1000} ms run, max step ${Math.round(p.maxStepMs * 1000) / 1000} ms, ${p.stalls} stalls`);
  }
  return out;
}
