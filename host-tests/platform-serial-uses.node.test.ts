// On the Pico, `board().io.Serial` is the project's own UART class (firmware/platform/pico/uart.c) and
// `device.io.Serial` is Moddable's, which frees a busy port after a while (docs/uart.md). The simulator cannot
// tell the two apart, so this checks the source instead: no code, and no example a user copies, opens a UART
// through `device.io.Serial`.
import fs from "node:fs";
import path from "node:path";
import { assert } from "./lib/assert";

const ROOT = path.resolve(__dirname, "..");
const DIRS = ["firmware", "drivers", "examples", "moddable", "docs", "starter"];
const ALLOWED = new Set(["docs/uart.md", "firmware/platform/io.ts", "firmware/platform/esp32/serial.js"]); // they explain it

function* sources(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") yield* sources(full);
    } else if (/\.(ts|js|md|json)$/.test(entry.name)) yield full;
  }
}

describe("UART classes on the device", () => {
  it("nothing opens a UART with device.io.Serial (board().io.Serial is the Pico's safe class)", () => {
    const found: string[] = [];
    let files = 0;
    for (const dir of DIRS) {
      for (const file of sources(path.join(ROOT, dir))) {
        files++;
        const rel = path.relative(ROOT, file).split(path.sep).join("/");
        if (ALLOWED.has(rel)) continue;
        fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
          if (/device\s*\.\s*io\s*\.\s*Serial\b/.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    assert.ok(files > 100, `scanned ${files} files`);
    assert.deepEqual(found, []);
  });
});
