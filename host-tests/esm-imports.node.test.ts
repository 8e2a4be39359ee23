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
  it("every name a CommonJS require sees is also a named ESM export", () => {
    const script = `
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url);
      const out = {};
      for (const f of ${JSON.stringify(INDEXES)}) {
        const file = ${JSON.stringify(ROOT)} + "/" + f;
        const ns = await import(file);
        const names = Object.keys(require(file)).filter((k) => k !== "__esModule");
        out[f] = { names: names.length, missing: names.filter((k) => !(k in ns)) };
      }
      console.log(JSON.stringify(out));`;
    // a file, as a user's ESM program would be (`node --import tsx -e` does not go through the same loader)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "esm-imports-"));
    const file = path.join(dir, "check.mjs");
    fs.writeFileSync(file, script);
    const r = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: ROOT, encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, { names: number; missing: string[] }>;
    for (const f of INDEXES) {
      assert.ok(res[f]!.names > 3, `${f}: ${res[f]!.names} names`);
      assert.deepEqual(res[f]!.missing, [], f);
    }
    // the names the issue was about
    assert.ok(res["firmware/sched/index.ts"]!.names >= 40);
  });
});
