import type { Console } from "../console";
import type { ServiceManager } from "../services";

const USAGE = "service status|enable|disable|start|stop|restart NAME";

/** `services`, `service status|enable|disable|start|stop NAME`. */
export function installServiceCommands(con: Console, sm: ServiceManager): void {
  // what came up: the service, and the services stopped with it that started again
  const started = (names: string[]): string => `${names[0]} started${names.length > 1 ? ` (and ${names.slice(1).join(", ")})` : ""}`;
  con.register("services", "services: list the services", () => {
    const l = sm.list();
    return l.length > 0 ? l : ["(no services)"];
  }, 0);
  con.register("service", `${USAGE}: control one service`, function* serviceCommand({ args }) {
    const [verb, name] = args;
    if (name === undefined) throw new TypeError(`usage: ${USAGE}`);
    switch (verb) {
      case "status":
        return sm.status(name);
      case "enable":
        sm.enable(name);
        return `${name} enabled`;
      case "disable":
        sm.disable(name);
        return `${name} disabled`;
      case "start":
        return started(yield* sm.start(name));
      case "restart":
        return started(yield* sm.restart(name));
      case "stop": {
        const s = sm.stop(name);
        return s.length > 0 ? `stopped: ${s.join(", ")}` : `${name} was not active`;
      }
      default:
        throw new TypeError(`usage: ${USAGE}`);
    }
  }, 2);
}
