/**
 * The platform seam for the console's `mem`: a platform installs a provider of memory figures (by name, in bytes)
 * with {@link setPlatformMemory}; `mem` (firmware/control/commands/mem.ts) shows them. On a Moddable device
 * `useModdable()` installs {@link deviceMemory} over the native readout in native/memory.c; Node and the XS
 * test host install nothing, and `mem` says "not available on this platform". Portable: no Node or XS-only APIs.
 */

/** Memory figures by name (bytes or counts), or null when the platform gives none. */
export type MemoryProvider = () => Record<string, number> | null;

let installed: MemoryProvider | null = null;

/** Install (or with null, remove) the platform's memory provider. */
export function setPlatformMemory(provider: MemoryProvider | null): void {
  if (provider !== null && typeof provider !== "function") throw new TypeError("setPlatformMemory needs a function returning figures by name, or null");
  installed = provider;
}

/** The installed provider, or null. */
export function platformMemory(): MemoryProvider | null {
  return installed;
}

/** What native/memory.c answers, in its order (bytes; -1 where the platform has no such figure). */
export const XS_MEMORY_FIELDS = ["slotsUsed", "slotsReserved", "chunksUsed", "chunksReserved", "chunksPeak", "staticUnclaimed", "systemFree", "largestFree"] as const;

/**
 * The figures `mem` shows, from native/memory.c's readout (taken right after a garbage collection):
 * - "XS heap in use": slots + chunks in use (what the program's live objects take);
 * - "XS slots in use" / "XS chunks in use" (slots: 16-byte cells for objects, closures, properties; chunks:
 *   strings, arrays' storage, bytecode made at run time), and "XS chunks peak";
 * - "XS heap free": reserved but unused slots and chunks, plus the static area not yet claimed (the Pico);
 * - "system heap free" and "largest free block": the C heap outside XS (where Uart buffers, Workers and
 *   native objects live), as the platform's allocator reports them.
 * Fields the platform lacks (-1) are left out.
 */
export function memoryFigures(raw: readonly number[]): Record<string, number> {
  if (!Array.isArray(raw) || raw.length < XS_MEMORY_FIELDS.length) throw new TypeError(`memoryFigures needs ${XS_MEMORY_FIELDS.length} numbers, got ${String(raw)}`);
  const [slotsUsed, slotsReserved, chunksUsed, chunksReserved, chunksPeak, staticUnclaimed, systemFree, largestFree] = raw as number[];
  const out: Record<string, number> = {
    "XS heap in use": slotsUsed! + chunksUsed!,
    "XS slots in use": slotsUsed!,
    "XS chunks in use": chunksUsed!,
    "XS chunks peak": chunksPeak!,
    "XS heap free": slotsReserved! - slotsUsed! + (chunksReserved! - chunksUsed!) + Math.max(0, staticUnclaimed!),
  };
  if (systemFree! >= 0) out["system heap free"] = systemFree!;
  if (largestFree! >= 0) out["largest free block"] = largestFree!;
  return out;
}

/** A provider over a native readout (`xsMemory` of native/memory.js): it collects garbage, then reads. */
export function deviceMemory(read: (gc: boolean) => number[]): MemoryProvider {
  return () => memoryFigures(read(true));
}
