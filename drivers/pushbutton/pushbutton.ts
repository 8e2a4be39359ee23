import type { EdgeCapture } from "../../firmware/platform/edges";
import type { DigitalConstructor } from "../../firmware/platform/io";
import { currentTaskOrNull, activeScheduler, type CallbackHandle, type Scheduler, type Gen, type Task } from "../../firmware/sched/kernel";
import { ThreadSafeFlag } from "../../firmware/sync/flag";
import { checkAction, launch, type Action } from "../switch/action";
import { PinEdges } from "../pin/edges";

export type { Action } from "../switch/action";

/** The things a Pushbutton reports. */
export type ButtonEvent = "press" | "release" | "double" | "long" | "click";
const KINDS: readonly ButtonEvent[] = ["press", "release", "double", "long", "click"];

/** Options for {@link Pushbutton}. */
export interface PushbuttonOptions {
  /** The Digital class (`device.io.Digital` on a device, `pins.Digital` in the simulator). */
  Digital: DigitalConstructor;
  pin: number;
  /** The button connects the pin to ground (default true): pressed reads 0. */
  activeLow?: boolean;
  /** Input mode (default InputPullUp when activeLow, else InputPullDown). */
  mode?: number;
  /** The edge capture that wakes the task (default: the platform's for this Digital class; null: the JS pin callback). See PinEdges. */
  capture?: EdgeCapture | null;
  /** Changes are ignored for this long after one is acted on (default 50). */
  debounceMs?: number;
  /** Held this long: long press (default 1000). */
  longMs?: number;
  /** A second press less than this after the first: double click (default 400). */
  doubleMs?: number;
  /** micropython-async's suppress: release waits for the double-click window and is dropped after a long press or a double click. */
  suppress?: boolean;
  /** click / double / long are mutually exclusive: exactly one per gesture (enables `click`). */
  exclusive?: boolean;
  /** Actions (see {@link Action}); absent or null: disabled. */
  press?: Action;
  release?: Action;
  double?: Action;
  long?: Action;
  /** Needs `exclusive`. */
  click?: Action;
  /** Arguments for the actions (default none). */
  args?: unknown[];
}

const EPS = 1e-6; // ms: deadlines compare equal through float rounding of timer arithmetic

function checkMsOption(v: unknown, what: string, def: number): number {
  const ms = v ?? def;
  if (typeof ms !== "number" || !(ms >= 0) || ms === Infinity) throw new RangeError(`Pushbutton: ${what} must be a finite number >= 0, got ${String(ms)}`);
  return ms;
}

/**
 * The flag a Pushbutton's task waits on, set by its pin callback at every edge: a class of its own so that a
 * listing can name that wait (`traceLabel(ButtonEdgeFlag.prototype, "button edge")`; the demo does).
 */
export class ButtonEdgeFlag extends ThreadSafeFlag {}

/**
 * A debounced pushbutton with press, release, double-click and long-press actions (micropython-async's
 * Pushbutton), plus an explicit `exclusive` mode with a `click` action. Debounce as in Switch: a change
 * is acted on at its first edge, then the pin is ignored for `debounceMs` (50) and read again. A double
 * click is a second press less than `doubleMs` (400) after the first press and fires at that press; no
 * long press is timed for it. A long press fires `longMs` (1000) after the press unless released first.
 * Only enabled actions count: without a double action there is no double-click window, without a long
 * action no long press.
 *
 * Timelines (ms, button down at the press times; all actions set; 50 / 1000 / 400):
 * - default: press@100 release@210 press@310 double@310 release@410 (double click);
 *   press@110 long@1110 release@1640 (long press); press@100 release@200 (click).
 * - suppress: release is held back until the window ends and dropped after a double or a long press:
 *   press@100 release@500 (click 100–200); press@100 press@310 double@310 (double click, releases
 *   dropped); press@110 long@1110 (long press, release dropped); press@100 release@700 (held 100–700).
 * - exclusive: press/release stay physical; exactly one of click / double / long per gesture; click fires
 *   when the window ends if released by then, else at the release: press@100 release@200 click@500;
 *   press@100 release@700 click@700; double and long as in default, with no click; a long press also
 *   closes the window. A third quick press starts a new gesture (triple click = double + click).
 * Deadlines are handled before a change seen at the same instant (released exactly `longMs` after the
 * press is a long press; a second press exactly `doubleMs` after the first is a new first press).
 *
 * It runs its own task, started in the constructor (construct it in a task or while a scheduler runs);
 * the pin callback only sets a flag; actions run in that task (see {@link Action}). `close()` stops the
 * task, its timer and the pin; actions already started as tasks keep running.
 * Cancel/timeout: nothing of the caller's waits on it; wait for a gesture with an Event action.
 * Errors: bad options are a TypeError/RangeError (a click action without `exclusive` too); the Digital
 * constructor's errors pass through; a throwing callback action is reported to the exception handler.
 * Memory: the object (about 25 fields), a flag, one generator task, one timer at a time (re-armed only
 * when a deadline comes earlier), a PinEdges in callback mode (the Digital, the edge capture where the platform
 * has one, a 1-edge ring).
 * @example
 *   const b = new Pushbutton({ Digital: device.io.Digital, pin: 0, exclusive: true,
 *     click: () => led.toggle(), double: modeEvent, long: function* () { yield* shutdown(); } });
 */
export class Pushbutton {
  /** Pin interrupts (edges) seen, and debounced changes (presses plus releases); the rest were bounce or glitches. */
  edges = 0;
  changes = 0;
  readonly debounceMs: number;
  readonly longMs: number;
  readonly doubleMs: number;
  readonly suppress: boolean;
  readonly exclusive: boolean;
  private readonly io: PinEdges;
  private readonly flag = new ButtonEdgeFlag();
  private readonly pressedLevel: 0 | 1;
  private readonly sched: Scheduler;
  private readonly task: Task;
  private readonly acts: { [k in ButtonEvent]: Action } = { press: null, release: null, double: null, long: null, click: null };
  private args: unknown[];
  private down: boolean;
  private lockUntil = -Infinity;
  private longAt = Infinity;
  private windowEnd = Infinity;
  /** first click done, window open (suppress / exclusive hold back release / click) */
  private dblPend = false;
  /** this press was the second of a double click */
  private dblRan = false;
  /** the long press fired during this press */
  private longRan = false;
  private timer: CallbackHandle | null = null;
  private armedAt = Infinity;
  private readonly onTimer: () => void;
  private stopped = false;

  constructor(options: PushbuttonOptions) {
    const { Digital, pin } = options;
    if (typeof Digital !== "function") throw new TypeError("Pushbutton: options.Digital must be the Digital class");
    this.debounceMs = checkMsOption(options.debounceMs, "debounceMs", 50);
    this.longMs = checkMsOption(options.longMs, "longMs", 1000);
    this.doubleMs = checkMsOption(options.doubleMs, "doubleMs", 400);
    this.suppress = options.suppress ?? false;
    this.exclusive = options.exclusive ?? false;
    for (const k of KINDS) this.acts[k] = checkAction(options[k], `Pushbutton ${k}`);
    if (this.acts.click != null && !this.exclusive) throw new TypeError("Pushbutton: a click action needs exclusive: true");
    this.args = options.args ?? [];
    const activeLow = options.activeLow ?? true;
    this.pressedLevel = activeLow ? 0 : 1;
    const t = currentTaskOrNull();
    this.sched = t !== null ? t.sched : activeScheduler();
    const flag = this.flag;
    this.onTimer = () => {
      this.timer = null;
      this.armedAt = Infinity;
      flag.set();
    };
    const mode = options.mode ?? (activeLow ? Digital.InputPullUp : Digital.InputPullDown);
    // edges only wake the task (through the platform's edge capture where it has one: see PinEdges)
    this.io = new PinEdges({
      Digital, pin, mode, edge: 3, capacity: 1, // callback mode: the ring is never used
      onEdge: () => {
        this.edges++;
        flag.set();
      },
      ...(options.capture !== undefined ? { capture: options.capture } : {}),
    });
    try {
      this.down = this.io.level() === this.pressedLevel;
      this.task = this.sched.spawnTask(`pushbutton ${pin}`, () => this.loop(), []);
    } catch (e) {
      this.io.close(); // construction failed half-way: release the pin
      throw e;
    }
  }

  /** Counters: edges, debounced changes, glitches (edges that changed nothing: bounce, noise). */
  stats(): { edges: number; changes: number; glitches: number } {
    return { edges: this.edges, changes: this.changes, glitches: Math.max(0, this.edges - this.changes) };
  }

  /** True while the button is down (debounced). */
  get pressed(): boolean {
    return this.down;
  }

  /** Replace an action (null disables it); `args` replaces the arguments of all. */
  setAction(kind: ButtonEvent, action: Action, args?: unknown[]): void {
    if (KINDS.indexOf(kind) < 0) throw new TypeError(`Pushbutton: no action "${String(kind)}" (press, release, double, long, click)`);
    const a = checkAction(action, `Pushbutton ${kind}`);
    if (kind === "click" && a != null && !this.exclusive) throw new TypeError("Pushbutton: a click action needs exclusive: true");
    this.acts[kind] = a;
    if (args !== undefined) this.args = args;
  }

  /** Stop the task and the timer, release the pin; no action runs afterwards. Safe twice, and from an action. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.io.close();
    if (this.timer !== null) this.timer.cancel();
    this.timer = null;
    if (currentTaskOrNull() !== this.task) this.task.cancel();
  }

  private fire(kind: ButtonEvent): void {
    if (!this.stopped) launch(this.sched, this.acts[kind], this.args, `Pushbutton ${kind}`);
  }

  private *loop(): Gen<void> {
    for (;;) {
      this.flag.clear(); // the read below covers every edge so far
      const t = this.sched.now();
      if (t >= this.longAt - EPS) this.longDue();
      if (t >= this.windowEnd - EPS) this.windowDue();
      if (t >= this.lockUntil - EPS) {
        const down = this.io.level() === this.pressedLevel;
        if (down !== this.down) {
          this.down = down;
          this.changes++;
          this.lockUntil = t + this.debounceMs;
          if (down) this.pressedAt(t);
          else this.releasedAt();
        }
      }
      if (this.stopped) return;
      const lock = this.lockUntil > t + EPS ? this.lockUntil : Infinity;
      this.arm(Math.min(lock, this.longAt, this.windowEnd));
      yield* this.flag.wait();
    }
  }

  private pressedAt(t: number): void {
    this.fire("press");
    const dbl = this.acts.double != null;
    this.longRan = false;
    if (dbl && this.windowEnd !== Infinity) {
      this.windowEnd = Infinity;
      this.dblPend = false;
      this.dblRan = true;
      this.fire("double");
      return;
    }
    if (this.acts.long != null) this.longAt = t + this.longMs;
    if (dbl) {
      this.windowEnd = t + this.doubleMs;
      this.dblPend = true;
    }
  }

  private releasedAt(): void {
    const single = !this.dblPend && !this.dblRan && !this.longRan;
    if (!this.suppress || single) this.fire("release");
    if (this.exclusive && single) this.fire("click");
    this.longAt = Infinity;
    this.dblRan = false;
  }

  private longDue(): void {
    this.longAt = Infinity;
    this.longRan = true;
    if (this.exclusive) {
      this.windowEnd = Infinity;
      this.dblPend = false;
    }
    this.fire("long");
  }

  private windowDue(): void {
    this.windowEnd = Infinity;
    this.dblPend = false;
    if (this.down || this.longRan) return;
    if (this.suppress) this.fire("release");
    if (this.exclusive) this.fire("click");
  }

  private arm(deadline: number): void {
    if (deadline === Infinity || this.armedAt <= deadline + EPS) return; // an earlier timer fires first; the loop re-arms
    if (this.timer !== null) this.timer.cancel();
    this.armedAt = deadline;
    this.timer = this.sched.callLater(deadline - this.sched.now(), this.onTimer);
  }
}
