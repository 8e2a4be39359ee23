import Timer from "timer";
import Time from "time";
import { setDefaultHost } from "../sched/api";
import { ModdableHost } from "./moddable-host";

export { ModdableHost, MAX_TIMER_MS } from "./moddable-host";

/** Install the Moddable host (Moddable's `Timer` and `Time`) as the default for `run()`. */
export function useModdable(): ModdableHost {
  const h = new ModdableHost(Timer, Time);
  setDefaultHost(h);
  return h;
}
