import Preference from "preference";
import { checkValue, type PrefValue, type Prefs } from "./prefs";

/** Longest domain or key the ESP32 NVS accepts (Moddable passes them through). */
export const MAX_NAME = 15;

function checkName(what: string, s: string): void {
  if (typeof s !== "string" || s.length === 0 || s.length > MAX_NAME) {
    throw new RangeError(`preference ${what} must be 1..${MAX_NAME} characters, got ${JSON.stringify(s)}`);
  }
}

/**
 * {@link Prefs} on Moddable's `Preference` module (NVS on ESP32, flash on Pico): survives resets.
 * Add the module to the manifest: `"include": ["$(MODDABLE)/modules/files/preference/manifest.json"]`.
 * Domains and keys longer than 15 characters are refused with a RangeError (instead of failing in NVS).
 * Memory: nothing on the JS heap beyond the values read.
 * @example new ServiceManager(reg, { prefs: new ModdablePrefs() })
 */
export class ModdablePrefs implements Prefs {
  get(domain: string, key: string): PrefValue | undefined {
    checkName("domain", domain);
    checkName("key", key);
    return Preference.get(domain, key);
  }
  set(domain: string, key: string, value: PrefValue): void {
    checkName("domain", domain);
    checkName("key", key);
    checkValue(value);
    Preference.set(domain, key, value);
  }
  delete(domain: string, key: string): void {
    checkName("domain", domain);
    checkName("key", key);
    Preference.delete(domain, key);
  }
  keys(domain: string): string[] {
    checkName("domain", domain);
    return Preference.keys(domain);
  }
}
