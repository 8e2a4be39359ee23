// The firmware's entry module (manifest "main"): start the scheduler on the Moddable host and blink the
// board's LED from a task. Pins come from `device.pin` (pico: led = 25); boards without an LED name
// (a plain esp32) use GPIO 2, as most ESP32 dev boards wire it.
import { useModdable } from "./platform/moddable";
import { now, run, sleepMs, spawn, type Gen } from "./sched/index";

function* blink(pin: number, ms: number, reports: number): Gen<void> {
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

function* main(): Gen<void> {
  trace("xs-async: scheduler running\n");
  const task = spawn("blink", blink, device.pin.led ?? 2, 250, 4);
  yield* task.join();
}

export default function (): void {
  useModdable();
  run(main).catch((e: unknown) => trace(`main failed: ${String(e)}\n`));
}
