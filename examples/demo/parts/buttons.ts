// The pushbutton: click toggles the LED on/off, double click sets fast blink, long press logs a status
// summary. Exclusive mode, so each gesture gives exactly one of the three.
import { Pushbutton } from "xs-async/drivers/pushbutton";
import type { RingLog } from "xs-async/control";
import type { StatsBoard } from "xs-async/control";
import type { DigitalConstructor } from "xs-async/io";
import { type Gen } from "xs-async";
import { Event } from "xs-async/sync";
import type { Led } from "./led";

/** Where the button is and what it acts on. */
export interface ButtonSetup {
  Digital: DigitalConstructor;
  pin: number;
  /** Wired to ground with a pull-up (default true). */
  activeLow?: boolean;
  led: Led;
  log: RingLog;
  /** The lines a long press logs. */
  status: () => string[];
  /** Where the button's counters are listed while it runs (`button`). */
  board?: StatsBoard;
}

/**
 * What the button task waits on while its Pushbutton (a task of its own) handles the pin's edges: never set,
 * a class of its own so that listings name the wait ("button edge": app.ts labels it).
 */
export class ButtonWatch extends Event {}

/**
 * The button task: owns the Pushbutton (debounce 50 ms, double-click window 400 ms, long press 1 s) and
 * releases the pin however it ends. A click is reported when the double-click window closes (400 ms after
 * the press), so it can never be the first half of a double click.
 */
export function* buttonTask(s: ButtonSetup): Gen<void> {
  const pb = new Pushbutton({
    Digital: s.Digital,
    pin: s.pin,
    activeLow: s.activeLow ?? true,
    exclusive: true,
    click: () => {
      s.log.info("click", "button");
      s.led.toggle("button click");
    },
    double: () => {
      s.log.info("double click", "button");
      s.led.set("fast", "button double click");
    },
    long: () => {
      s.log.info("long press: status", "button");
      for (const line of s.status()) s.log.info(line, "status");
    },
  });
  s.board?.attach("button", pb);
  try {
    yield* new ButtonWatch().wait();
  } finally {
    s.board?.detach("button", pb);
    pb.close();
  }
}
