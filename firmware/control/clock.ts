import { activeScheduler, currentTaskOrNull } from "../sched/kernel";

/** Wall-clock time in epoch ms: `Date.now` on a host, an RTC read on a board (set it before use). */
export type WallClock = () => number;

/** The default wall clock: Date.now (correct on a board only once its clock has been set). */
export const systemWallClock: WallClock = () => Date.now();

/** The running scheduler's clock (ms), from a task or from an IO callback while a scheduler runs. */
export function schedNow(): number {
  const t = currentTaskOrNull();
  return t !== null ? t.sched.now() : activeScheduler().now();
}
