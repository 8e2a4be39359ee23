// The application, independent of the platform: it uses the `device` global (Moddable's host provider on
// a board, the simulated board on Node). firmware/main.ts runs it on a device, host/start.ts on Node.
import { now, sleepMs, spawn, type Gen } from "./sched/index";

/** Blink `pin` every `ms`, reporting the first few changes. The LED is released however the task ends. */
export function* blink(pin: number, ms: number, reports: number): Gen<void> {
  const led = new device.io.Digital({ pin, mode: device.io.Digital.Output });
  try {
    for (let on: 0 | 1 = 1, n = 0; ; on = on ? 0 : 1, n++) {
      led.write(on);
      if (n < reports) trace(`blink: led ${on ? "on" : "off"} at ${Math.round(now())} ms\n`);
      yield* sleepMs(ms);
    }
  } finally {
    led.close();
  }
}

/** The main task. Boards without an LED name (a plain esp32) use GPIO 2, as most ESP32 dev boards wire it. */
export function* app(): Gen<void> {
  trace("xs-async: scheduler running\n");
  const task = spawn("blink", blink, device.pin.led ?? 2, 250, 4);
  yield* task.join();
}
