// __NAME__: the app, independent of the platform. It gets its board (the `device` global on a chip, the
// simulated board under `npm start` and in tests) and the board's description (src/board.ts) from whoever
// runs it: src/main.ts on the chip, `xs-async start`, the test, the soak.
import { spawn, sleepMs, type Gen } from "xs-async";
import { defineApp, type AppContext } from "xs-async/board";
import { RingLog, ServiceManager, TaskRegistry, MemoryPrefs } from "xs-async/control";
import { Pushbutton } from "xs-async/drivers/pushbutton";

/** The blink service's task: the status LED on for `onMs`, off for the rest of `periodMs`, forever. */
export function* blink(ctx: AppContext, log: RingLog, periodMs: number, onMs = 50): Gen<void> {
  const led = ctx.description.leds?.["status"];
  if (led === undefined) throw new Error("the board has no LED named status");
  const pin = new ctx.board.io.Digital({ pin: led.pin, mode: ctx.board.io.Digital.Output });
  const on = led.activeLow === true ? 0 : 1;
  log.info(`blinking pin ${led.pin} every ${periodMs} ms`, "blink");
  try {
    for (;;) {
      pin.write(on);
      yield* sleepMs(onMs);
      pin.write((1 - on) as 0 | 1);
      yield* sleepMs(periodMs - onMs);
    }
  } finally {
    pin.close();
  }
}

/** A task: counts the user button's clicks and logs each one. */
export function* buttonTask(ctx: AppContext, log: RingLog): Gen<void> {
  const button = ctx.description.buttons?.["user"];
  if (button === undefined) return;
  let clicks = 0;
  const pb = new Pushbutton({
    Digital: ctx.board.io.Digital,
    pin: button.pin,
    activeLow: button.activeLow ?? true,
    exclusive: true, // exactly one of click / double / long per gesture (a click needs it)
    click: () => log.info(`click ${++clicks}`, "button"),
  });
  try {
    yield* sleepMs(Infinity);
  } finally {
    pb.close();
  }
}

/** Print every log record as it is written (trace on a chip, the terminal on the host). */
function* printer(log: RingLog, print: (line: string) => void): Gen<void> {
  for (let cursor = log.first; ; cursor++) {
    const e = yield* log.next(cursor);
    print(log.format(e));
    cursor = e.seq;
  }
}

export default defineApp({
  name: "__NAME__",
  main: function* main(ctx: AppContext): Gen<void> {
    const log = new RingLog(4096);
    const registry = new TaskRegistry({ log });
    const services = new ServiceManager(registry, { log, prefs: ctx.prefs ?? new MemoryPrefs() });
    registry.add("printer", printer, log, ctx.print);
    services.add({
      name: "blink", description: "the status LED blinks", args: [1000], restart: "on-failure",
      tasks: function* blinkService(periodMs: unknown): Gen<void> {
        yield* blink(ctx, log, Number(periodMs));
      },
    });
    spawn("button", buttonTask, ctx, log);
    ctx.ready({ log, registry, services });
    const report = yield* services.boot();
    for (const line of report.lines) log.info(line, "boot");
    yield* sleepMs(Infinity);
  },
});
