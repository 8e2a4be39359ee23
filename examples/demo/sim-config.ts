// The demo on the simulated board (host only: the tests, the soak). Not in manifest.json: it imports
// xs-async/sim, which is not part of the firmware, so Moddable's tsc must not see it from a device module.
import type { SimBoard } from "xs-async/sim";
import type { AppConfig } from "./app";
import { demoConfig } from "./board";

/**
 * An AppConfig for the demo on `sim` (made from demoBoards.sim): the console on the console port (LF line
 * ends unless `crlf`); `extra` adds or replaces fields (print, prefs, onReady...).
 */
export function simAppConfig(sim: SimBoard, extra: Partial<AppConfig> & { crlf?: boolean; logOnConsole?: boolean } = {}): AppConfig {
  const { crlf, logOnConsole, ...rest } = extra;
  return demoConfig(
    {
      description: sim.description,
      board: sim,
      print: (line) => trace(line + "\n"),
      prefs: undefined,
      console: { crlf: crlf ?? false, logOnConsole: logOnConsole ?? false },
      nowUs: () => sim.clock.nowUs(),
      ready: () => undefined,
    },
    { boardName: "sim", ...rest },
  );
}
