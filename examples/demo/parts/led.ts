// The LED: a task that owns the pin and shows a mode (off, on, slow blink, fast blink). Everything else
// (buttons, IR, console) asks for a mode through `Led.set`, which stores it, logs the change and signals
// the task through a Message; the task never needs polling.
import type { RingLog } from "xs-async/control";
import type { DigitalConstructor } from "xs-async/io";
import { moveOnAfter, type Gen } from "xs-async";
import { Message } from "xs-async/sync";

/** What the LED shows. */
export type LedMode = "off" | "on" | "slow" | "fast";
export const LED_MODES: readonly LedMode[] = ["off", "on", "slow", "fast"];
const LABEL: { readonly [m in LedMode]: string } = { off: "off", on: "on", slow: "slow blink", fast: "fast blink" };
/** Half periods of the blink modes (ms): slow 1 Hz, fast 5 Hz. */
export const BLINK_HALF_MS = { slow: 500, fast: 100 } as const;

/** Human name of a mode ("slow blink"). */
export function ledLabel(m: LedMode): string {
  return LABEL[m];
}

/**
 * The LED's mode, shared by whoever changes it and the task that shows it. `set()` is synchronous and
 * safe from any task or callback: it logs `LED off -> on (why)` (tag "led") and wakes the LED task.
 */
export class Led {
  mode: LedMode = "off";
  /** Mode changes; the LED task waits on it. */
  readonly changes = new Message<LedMode>();
  /** Mode changes so far. */
  changesCount = 0;
  /** True while an LED task shows the mode (false before it starts and once it is stopped). */
  driven = false;

  constructor(private readonly log: RingLog) {}

  set(mode: LedMode, why: string): void {
    if (LED_MODES.indexOf(mode) < 0) throw new RangeError(`LED mode is one of ${LED_MODES.join(", ")}, got ${String(mode)}`);
    const old = this.mode;
    this.mode = mode;
    if (old === mode) this.log.info(`LED stays ${LABEL[mode]} (${why})`, "led");
    else {
      this.changesCount++;
      this.log.info(`LED ${LABEL[old]} -> ${LABEL[mode]} (${why})`, "led");
    }
    this.changes.set(mode);
  }

  /** Off becomes on; anything else (on, blinking) becomes off. */
  toggle(why: string): void {
    this.set(this.mode === "off" ? "on" : "off", why);
  }
}

function* waitChange(m: Message<LedMode>): Gen<LedMode> {
  return yield* m.wait();
}

/**
 * The LED task: opens the pin, shows `led.mode`, and switches within the same instant the mode changes.
 * Blinking toggles every half period; a steady mode sleeps until the next change. The pin is switched
 * off and released however the task ends (a service stop cancels it).
 */
export function* ledTask(led: Led, Digital: DigitalConstructor, pin: number, activeLow = false): Gen<void> {
  const out = new Digital({ pin, mode: Digital.Output });
  const show = (lit: boolean): void => out.write(lit !== activeLow ? 1 : 0);
  led.driven = true;
  try {
    let lit = false;
    for (;;) {
      led.changes.clear();
      const mode = led.mode;
      if (mode === "off" || mode === "on") {
        lit = mode === "on";
        show(lit);
        yield* led.changes.wait();
      } else {
        lit = !lit;
        show(lit);
        yield* moveOnAfter(BLINK_HALF_MS[mode], waitChange, led.changes);
      }
    }
  } finally {
    led.driven = false;
    show(false);
    out.close();
  }
}
