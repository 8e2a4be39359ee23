import Timer from "timer";
import Time from "time";
import { setDefaultHost } from "../sched/kernel";
import { deviceMemory, setPlatformMemory } from "./memory";
import { ModdableHost } from "./moddable-host";
import { xsMemory } from "./native/memory";

export { ModdableHost, MAX_TIMER_MS } from "./moddable-host";

/**
 * Install the Moddable host (Moddable's `Timer` and `Time`) as the default for `run()`, and the device's memory
 * figures (native/memory.c: XS heap after a garbage collection, the C heap) for the console's `mem`.
 */
export function useModdable(): ModdableHost {
  const h = new ModdableHost(Timer, Time);
  setDefaultHost(h);
  setPlatformMemory(deviceMemory(xsMemory));
  return h;
}
