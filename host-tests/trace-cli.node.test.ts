// `npm run trace -- dump.txt out.json` (scripts/trace.ts): a saved console session to trace-event JSON.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assert } from "./lib/assert";

const ROOT = path.resolve(__dirname, "..");

function runTrace(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "scripts/trace.ts"), ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm run trace", function () {
  this.timeout(30000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs-trace-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("converts a saved session (prompt and other output around the dump) to trace-event JSON", () => {
    const session = [
      "> trace dump",
      "trace v1 records 5 first 0 size 256 t0 1000 bytes 16",
      "lane 1 blink",
      "label 0 wait",
      "label 1 sleep",
      "r 0 2 1 0", // in blink @1000 ms
      "r 3e8 4 1 1", // +1 ms: park on sleep
      "r 0 3 1 4", // out, waiting
      "r 2710 7 1 0", // +10 ms: its timer
      "r 0 5 1 0", // woken
      "end 5",
      "trace dumped",
      "> ",
    ].join("\r\n");
    fs.writeFileSync(path.join(dir, "s.txt"), session);
    const r = runTrace([path.join(dir, "s.txt"), path.join(dir, "s.json")]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /s\.json: \d+ events from 5 records, 1 lanes/);
    const j = JSON.parse(fs.readFileSync(path.join(dir, "s.json"), "utf8")) as { traceEvents: Record<string, unknown>[] };
    const x = j.traceEvents.filter((e) => e.ph === "X");
    assert.deepEqual(x, [{ name: "blink", cat: "run", ph: "X", ts: 1000000, dur: 1000, pid: 1, tid: 1, args: { then: "waits on sleep" } }]);
    assert.deepEqual(j.traceEvents.filter((e) => e.ph === "i").map((e) => [e.name, e.ts]), [["timer", 1011000], ["wake", 1011000]]);
    assert.ok(j.traceEvents.some((e) => e.ph === "M" && e.name === "thread_name" && (e.args as { name: string }).name === "blink"));
  });

  it("says what is wrong with a file that holds no dump, and writes nothing", () => {
    fs.writeFileSync(path.join(dir, "bad.txt"), "hello\n");
    const r = runTrace([path.join(dir, "bad.txt"), path.join(dir, "bad.json")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.txt: no trace dump found/);
    assert.ok(!fs.existsSync(path.join(dir, "bad.json")));
    const u = runTrace([]);
    assert.equal(u.code, 2);
    assert.match(u.err, /^usage: npm run trace -- <dump\.txt\|-> \[out\.json\]/);
  });
});
