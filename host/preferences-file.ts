import * as fs from "node:fs";
import * as path from "node:path";
import { checkValue, type PrefValue, type Prefs } from "../firmware/control/prefs";

type Stored = boolean | number | string | { arrayBuffer: string };

/**
 * {@link Prefs} in a JSON file, for the firmware on Node: `{ "<domain>": { "<key>": value } }`, read once
 * when created, written (to a temporary file, then renamed) on every change. ArrayBuffers are stored as
 * `{ "arrayBuffer": "<hex>" }`. A missing file is an empty store; a corrupt one is an error naming the file.
 * @example new ServiceManager(reg, { prefs: new FilePrefs("./prefs.json") })
 */
export class FilePrefs implements Prefs {
  private readonly data: Record<string, Record<string, Stored>>;

  constructor(readonly file: string) {
    let text: string | null = null;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (text === null) this.data = {};
    else {
      try {
        this.data = JSON.parse(text) as Record<string, Record<string, Stored>>;
      } catch (e) {
        throw new Error(`preferences file ${file} is not valid JSON: ${(e as Error).message}`);
      }
    }
  }

  get(domain: string, key: string): PrefValue | undefined {
    const v = this.data[domain]?.[key];
    if (v === undefined) return undefined;
    if (typeof v === "object") return Uint8Array.from(Buffer.from(v.arrayBuffer, "hex")).buffer;
    return v;
  }

  set(domain: string, key: string, value: PrefValue): void {
    checkValue(value);
    const d = (this.data[domain] ??= {});
    d[key] = value instanceof ArrayBuffer ? { arrayBuffer: Buffer.from(value).toString("hex") } : value;
    this.save();
  }

  delete(domain: string, key: string): void {
    const d = this.data[domain];
    if (d === undefined || !(key in d)) return;
    delete d[key];
    this.save();
  }

  keys(domain: string): string[] {
    return Object.keys(this.data[domain] ?? {});
  }

  private save(): void {
    fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data, null, 2) + "\n");
    fs.renameSync(tmp, this.file);
  }
}
