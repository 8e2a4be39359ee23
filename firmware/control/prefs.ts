/** A value a preference store keeps (Moddable's Preference: boolean, integer, string, ArrayBuffer). */
export type PrefValue = boolean | number | string | ArrayBuffer;

/**
 * A small persistent key-value store by domain, shaped like Moddable's `Preference`. Implementations:
 * {@link MemoryPrefs} (tests, boards without flash), `ModdablePrefs` (./prefs-moddable, the device's
 * NVS/flash), `FilePrefs` (host/preferences-file, a JSON file on Node).
 * Keep domains and keys to 15 characters and values small (ESP32 NVS limits).
 */
export interface Prefs {
  get(domain: string, key: string): PrefValue | undefined;
  set(domain: string, key: string, value: PrefValue): void;
  delete(domain: string, key: string): void;
  keys(domain: string): string[];
}

/** Preferences in a Map (lost at reset). Memory: one Map per domain. */
export class MemoryPrefs implements Prefs {
  private readonly domains = new Map<string, Map<string, PrefValue>>();

  get(domain: string, key: string): PrefValue | undefined {
    const v = this.domains.get(domain)?.get(key);
    return v instanceof ArrayBuffer ? v.slice(0) : v;
  }

  set(domain: string, key: string, value: PrefValue): void {
    checkValue(value);
    let d = this.domains.get(domain);
    if (d === undefined) this.domains.set(domain, (d = new Map()));
    d.set(key, value instanceof ArrayBuffer ? value.slice(0) : value);
  }

  delete(domain: string, key: string): void {
    this.domains.get(domain)?.delete(key);
  }

  keys(domain: string): string[] {
    const d = this.domains.get(domain);
    return d === undefined ? [] : [...d.keys()];
  }
}

/** TypeError unless `v` is a value Moddable's Preference accepts. */
export function checkValue(v: unknown): asserts v is PrefValue {
  if (typeof v === "boolean" || typeof v === "string" || v instanceof ArrayBuffer) return;
  if (typeof v === "number" && v === Math.floor(v) && Math.abs(v) <= 0x7fffffff) return;
  throw new TypeError(`a preference is a boolean, a 32-bit integer, a string or an ArrayBuffer, got ${typeof v}`);
}

/** Read a JSON value stored as a string preference (undefined if absent or not valid JSON). */
export function getJSON(p: Prefs, domain: string, key: string): unknown {
  const s = p.get(domain, key);
  if (typeof s !== "string") return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

/** Store a JSON-serialisable value as a string preference. */
export function setJSON(p: Prefs, domain: string, key: string, value: unknown): void {
  p.set(domain, key, JSON.stringify(value));
}
