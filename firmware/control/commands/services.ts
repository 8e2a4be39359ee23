import type { Console } from "../console";
import type { ServiceManager } from "../services";

const USAGE = "service status|enable|disable|start|stop NAME";

/** `services`, `service status|enable|disable|start|stop NAME`. */
export function installServiceCommands(con: Console, sm: ServiceManager): void {
  con.register("services", "services: list the services", () => {
    const l = sm.list();
    return l.length > 0 ? l : ["(no services)"];
  });
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
        yield* sm.start(name);
        return `${name} started`;
      case "stop": {
        const s = sm.stop(name);
        return s.length > 0 ? `stopped: ${s.join(", ")}` : `${name} was not active`;
      }
      default:
        throw new TypeError(`usage: ${USAGE}`);
    }
  });
}
