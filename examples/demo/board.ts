// The demo app's wiring on the simulated board: what `npm start`, the demo tests and the soak share.
import type { AppConfig } from "../firmware/app";
import { SIM_CONSOLE_PORT, SIM_MODEM_PORT, type SimBoard } from "./board";

/**
 * An AppConfig for the demo on `sim`: the LED, button and IR pins, the I2C bus, the modem on its port and
 * the console on the console port (LF line ends unless `crlf`); `extra` adds or replaces fields (print,
 * prefs, onReady...).
 */
export function simAppConfig(sim: SimBoard, extra: Partial<AppConfig> & { crlf?: boolean; logOnConsole?: boolean } = {}): AppConfig {
  const { crlf, logOnConsole, ...rest } = extra;
  return {
    boardName: "sim",
    board: sim,
    led: { pin: sim.pin.led },
    button: { pin: sim.pin.button },
    ir: { pin: sim.pin.ir, nowUs: () => sim.clock.nowUs() },
    i2c: sim.I2C.default,
    modem: { port: SIM_MODEM_PORT, baud: 115200 },
    console: { serial: { port: SIM_CONSOLE_PORT, baud: 115200 }, crlf: crlf ?? false, ...(logOnConsole !== undefined ? { logOnConsole } : {}) },
    ...rest,
  };
}
