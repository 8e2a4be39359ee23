import { platformMemory, type MemoryProvider } from "../../platform/memory";
import type { Console } from "../console";

export type { MemoryProvider } from "../../platform/memory";

/** The part of Moddable's `Instrumentation` module (import Instrumentation from "instrumentation") used here. */
export interface InstrumentationLike {
  get(index: number): number | undefined;
  map?(name: string): number | undefined;
}

/** The Moddable instrumentation counters shown by `mem` (those a build has). */
export const MEMORY_COUNTERS = ["System Free Memory", "XS Slot Heap Used", "XS Chunk Heap Used", "XS Stack Used", "XS Garbage Collection Count", "XS Keys Used", "XS Modules Loaded"];

/**
 * A provider over Moddable's Instrumentation: `new Console(io, { ... })` then
 * `installMemCommand(con, instrumentationMemory(Instrumentation))` on a device.
 */
export function instrumentationMemory(instr: InstrumentationLike): MemoryProvider {
  return () => {
    if (typeof instr.map !== "function") return null;
    const out: Record<string, number> = {};
    for (const name of MEMORY_COUNTERS) {
      const i = instr.map(name);
      if (i === undefined) continue;
      const v = instr.get(i);
      if (typeof v === "number") out[name] = v;
    }
    return Object.keys(out).length > 0 ? out : null;
  };
}

/**
 * What `mem` reads unless told: the platform's provider (firmware/platform/memory: a Moddable device's
 * `useModdable()` installs one), else an `Instrumentation` global (some Moddable apps publish it), else nothing.
 * Looked up at each `mem`, so a provider installed after the console was made is used.
 */
export function defaultMemory(): MemoryProvider {
  return () => {
    const p = platformMemory();
    if (p !== null) return p();
    const g = (globalThis as { Instrumentation?: InstrumentationLike }).Instrumentation;
    return g !== undefined && g !== null && typeof g.get === "function" ? instrumentationMemory(g)() : null;
  };
}

/** `mem`: the provider's figures, or "not available". */
export function installMemCommand(con: Console, provider: MemoryProvider = defaultMemory()): void {
  con.register("mem", "mem: memory use after a garbage collection (XS heap, system heap), where the platform tells", () => {
    const m = provider();
    if (m === null) return "mem: not available on this platform";
    return Object.keys(m).map((k) => `${k}: ${m[k]}`);
  }, 0);
}
