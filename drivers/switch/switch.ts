import type { EdgeCapture } from "../../firmware/platform/edges";
import type { DigitalConstructor } from "../../firmware/platform/io";
import { currentTaskOrNull, activeScheduler, type Scheduler, sleepMs, type Gen, type Task } from "../../firmware/sched/kernel";
import { ThreadSafeFlag } from "../../firmware/sync/flag";
import { checkAction, launch, type Action } from "./action";
import { PinEdges } from "../pin/edges";

export type { Action } from "./action";

/** Options for {@link Switch}. */
export interface SwitchOptions {
  /** The Digital class (`device.io.Digital` on a device, `pins.Digital` in the simulator). */
  Digital: DigitalConstructor;
  pin: number;
  /** The switch connects the pin to ground (default true): closed reads 0. */
  activeLow?: boolean;
  /** Input mode (default InputPullUp when activeLow, else InputPullDown). */
  mode?: number;
  /** The edge capture that wakes the task (default: the platform's for this Digital class; null: the JS pin callback). See PinEdges. */
  capture?: EdgeCapture | null;
  /** Changes are ignored for this long after one is acted on (default 50). */
  debounceMs?: number;
  /** What to do when the switch closes / opens (see {@link Action}). */
  onClose?: Action;
  onOpen?: Action;
  /** Arguments for the actions (default none). */
  args?: unknown[];
}

/**
 * A debounced on/off switch (micropython-async's Switch): acts on a change at once (the first edge of a
 * bounce), then ignores the pin for `debounceMs` (default 50) and looks again, so contact bounce shorter
 * than that never makes an extra event, and a change during the quiet time is acted on when it ends.
 * Timeline, activeLow, clean contact closed 100–300: close@100, open@300; with bounce up to 20 ms at each
 * change: the same.
 *
 * It runs its own task, started in the constructor (construct it in a task or while a scheduler runs;
 * the task first runs when the caller next yields); the pin callback only sets a flag (rule 10). The
 * initial position makes no event. `close()` stops the task and releases the pin; actions already
 * started as tasks keep running.
 * Cancel/timeout: nothing of the caller's waits on it; to wait for a change use an Event action
 * (`onClose: closedEvent`, then `yield* closedEvent.wait()`, and clear it).
 * Errors: bad options are a TypeError/RangeError; the Digital constructor's errors (pin in use) pass
 * through; a throwing callback action is reported to the scheduler's exception handler.
 * Memory: the object, a flag, one task (generator) and a PinEdges in callback mode (the Digital and, where the platform has one, its edge capture; a 1-edge ring); no allocation per change except
 * what the action does (a task action spawns a task).
 * @example
 *   const door = new Switch({ Digital: device.io.Digital, pin: 4, onClose: doorClosed, onOpen: () => trace("open\n") });
 *   yield* doorClosed.wait();
 */
export class Switch {
  /** Changes are ignored for this long after one is acted on. */
  readonly debounceMs: number;
  private readonly io: PinEdges;
  private readonly flag = new ThreadSafeFlag();
  private readonly closedLevel: 0 | 1;
  private readonly sched: Scheduler;
  private readonly task: Task;
  private lv: 0 | 1;
  private closeAct: Action;
  private openAct: Action;
  private args: unknown[];
  private stopped = false;

  constructor(options: SwitchOptions) {
    const { Digital, pin } = options;
    if (typeof Digital !== "function") throw new TypeError("Switch: options.Digital must be the Digital class");
    const debounce = options.debounceMs ?? 50;
    if (typeof debounce !== "number" || !(debounce >= 0) || debounce === Infinity) throw new RangeError(`Switch: debounceMs must be a finite number >= 0, got ${String(debounce)}`);
    this.debounceMs = debounce;
    const activeLow = options.activeLow ?? true;
    this.closedLevel = activeLow ? 0 : 1;
    this.closeAct = checkAction(options.onClose, "Switch onClose");
    this.openAct = checkAction(options.onOpen, "Switch onOpen");
    this.args = options.args ?? [];
    const t = currentTaskOrNull();
    this.sched = t !== null ? t.sched : activeScheduler();
    const mode = options.mode ?? (activeLow ? Digital.InputPullUp : Digital.InputPullDown);
    const flag = this.flag;
    // edges only wake the task (through the platform's edge capture where it has one: see PinEdges)
    this.io = new PinEdges({ Digital, pin, mode, edge: 3, capacity: 1, onEdge: () => flag.set(), ...(options.capture !== undefined ? { capture: options.capture } : {}) });
    try {
      this.lv = this.io.level();
      this.task = this.sched.spawnTask(`switch ${pin}`, () => this.loop(), []);
    } catch (e) {
      this.io.close(); // construction failed half-way: release the pin
      throw e;
    }
  }

  /** True while the switch is closed (debounced). */
  get closed(): boolean {
    return this.lv === this.closedLevel;
  }

  /** The debounced pin level, 0 or 1 (micropython's `sw()`). */
  get state(): 0 | 1 {
    return this.lv;
  }

  /** Replace an action; `args` replaces the arguments of both. */
  setAction(which: "close" | "open", action: Action, args?: unknown[]): void {
    const a = checkAction(action, `Switch ${which} action`);
    if (which === "close") this.closeAct = a;
    else if (which === "open") this.openAct = a;
    else throw new TypeError(`Switch: no action "${String(which)}" (close or open)`);
    if (args !== undefined) this.args = args;
  }

  /** Stop the task and release the pin; no action runs afterwards. Safe twice, and from an action. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.io.close();
    if (currentTaskOrNull() !== this.task) this.task.cancel();
  }

  private *loop(): Gen<void> {
    for (;;) {
      this.flag.clear(); // the read below covers every edge so far
      const lv = this.io.level();
      if (lv !== this.lv) {
        this.lv = lv;
        launch(this.sched, lv === this.closedLevel ? this.closeAct : this.openAct, this.args, lv === this.closedLevel ? "Switch close" : "Switch open");
        if (this.stopped) return;
        yield* sleepMs(this.debounceMs);
        continue;
      }
      yield* this.flag.wait();
    }
  }
}
