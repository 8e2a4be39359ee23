// The README's "A first program" is the file it names, and the command it gives runs it (Node-only: reads
// the README, starts a process). readme.test.ts runs the same program on the virtual clock.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { assert } from "./lib/assert";

const ROOT = path.resolve(__dirname, "..");

function readmeProgram(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const m = /## A first program\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
  if (m === null) throw new Error("README.md has no ```ts block under ## A first program");
  return m[1]!;
}

describe("README: A first program", function () {
  this.timeout(30000);

  it("its code block is examples/first-program.ts, character for character, and it names the file and the command", () => {
    assert.equal(readmeProgram(), fs.readFileSync(path.join(ROOT, "examples/first-program.ts"), "utf8"));
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    assert.ok(readme.includes("[examples/first-program.ts](examples/first-program.ts)"));
    assert.ok(readme.includes("`npm run first-program`"));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts["first-program"], "tsx --import ./host/node-globals.ts examples/first-program.ts");
  });

  it("npm run first-program prints got 0, got 1, ... as the README says", async () => {
    // the npm script's command, without npm in between (so that killing it kills the program)
    const p = spawn(process.execPath, ["--import", "tsx", "--import", "./host/node-globals.ts", "examples/first-program.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 20000;
    while (!out.includes("got 3\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    p.kill();
    assert.ok(out.startsWith("got 0\ngot 1\ngot 2\ngot 3\n"), out);
  });
});
