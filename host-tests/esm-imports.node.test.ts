// Node ESM code can import every public name by name from the project's index modules. This package is
// CommonJS-scope: Node gives ESM importers the names that cjs-module-lexer finds in the compiled module,
// and it cannot see names behind a re-export star (`export * from`), so the indexes list their names.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { assert } from "./lib/assert";

const ROOT = path.resolve(__dirname, "..");
const INDEXES = ["firmware/sched/index.ts", "firmware/sync/index.ts", "firmware/control/index.ts", "drivers/uart/index.ts"];

describe("named ESM imports from Node", function () {
  this.timeout(30000);
  it("every name a CommonJS require sees can be imported by name from an ES module", () => {
    // static imports, as a user's ESM program writes them (a dynamic import() is resolved differently)
    let script = "";
    let total = 0;
    INDEXES.forEach((f, i) => {
      const names = Object.keys(require(path.join(ROOT, f)) as object).filter((k) => k !== "__esModule");
      assert.ok(names.length > 3, `${f}: ${names.length} names`);
      total += names.length;
      script += `import { ${names.join(", ")} } from ${JSON.stringify(path.join(ROOT, f))};\n`;
      script += `for (const [n, v] of Object.entries({ ${names.join(", ")} })) if (v === undefined) throw new Error(n + " is undefined");\n`;
      script += `console.log(${JSON.stringify(f)}, ${i}, ${names.length});\n`;
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "esm-imports-"));
    const file = path.join(dir, "check.mjs");
    fs.writeFileSync(file, script);
    const r = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: ROOT, encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n").length, INDEXES.length);
    // TimeoutError, CancelledError, isCancelled... (the names the issue was about) among them
    assert.ok(total > 100, `${total} names`);
  });
});
