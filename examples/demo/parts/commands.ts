// The demo's own console commands, next to the built-in ones (ps, log, services, ...).
import type { Console } from "xs-async/control";
import type { Jobs } from "xs-async/control";
import { parseJsonArgs } from "xs-async/control";
import type { ServiceManager } from "xs-async/control";
import type { Gen } from "xs-async";
import type { Env } from "./env";
import { LED_MODES, ledLabel, type Led, type LedMode } from "./led";
import type { Modem } from "./modem";

/** What the commands act on. */
export interface CommandParts {
  led: Led;
  env: Env;
  modem: Modem;
  services: ServiceManager;
  jobs: Jobs;
  status: () => string[];
}

/** Install `led`, `sample`, `at`, `i2c`, `status` and `args` on `con`. */
export function installDemoCommands(con: Console, p: CommandParts): void {
  con.register("led", "led [off|on|slow|fast]: show or set the LED mode", ({ args }) => {
    const m = args[0];
    if (m === undefined) return `LED ${ledLabel(p.led.mode)}`;
    if (LED_MODES.indexOf(m as LedMode) < 0) throw new TypeError("usage: led [off|on|slow|fast]");
    // a mode nobody shows would only be a log line: refuse, and say how to bring the LED task back
    if (!p.led.driven) throw new Error("the LED task is not running, nothing would show it (service start led, or start led)");
    p.led.set(m as LedMode, "console");
    return `LED ${ledLabel(p.led.mode)}`;
  }, 1);
  con.register("sample", "sample: sample the HTU21D now, as a background job (see jobs; the reading is logged)", () => {
    if (!p.env.isOpen) throw new TypeError("the env service is not running");
    const job = p.jobs.bg("sample", function* (): Gen<string> {
      const r = yield* p.env.sample();
      return r === null ? "failed" : `${r.celsius.toFixed(2)} °C, ${r.rh.toFixed(1)} %RH`;
    });
    return `job #${job.id} started`;
  }, 0);
  con.register("at", "at COMMAND: send an AT command to the modem, show the reply", function* at({ rest }): Gen<string[]> {
    if (rest === "") throw new TypeError("usage: at COMMAND (e.g. at AT+CSQ)");
    const reply = yield* p.modem.command(rest);
    return reply.length > 0 ? reply : ["(no answer)"];
  });
  con.register("i2c", "i2c: how the HTU21D and the EEPROM share the I2C bus", () => p.env.busLines(), 0);
  con.register("status", "status: the summary a long press logs", () => p.status(), 0);
  con.register("args", "args NAME [JSON array|default]: show or set a service's stored arguments (used at its next start)", ({ args, rest }) => {
    const name = args[0];
    if (name === undefined) throw new TypeError("usage: args NAME [JSON array|default]");
    const s = p.services.get(name);
    if (s === undefined) throw new TypeError(`no service named ${JSON.stringify(name)}`);
    const json = rest.slice(name.length).trim();
    if (json === "default") p.services.resetArgs(name);
    else if (json !== "") p.services.setArgs(name, parseJsonArgs(json));
    return `${name} args ${JSON.stringify(s.args)}${json !== "" ? " (stored; restart the service to use them)" : ""}`;
  });
}
