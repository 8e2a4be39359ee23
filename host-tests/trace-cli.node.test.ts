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

describe("npm run trace: defective input (issue 24)", function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs-trace-bad-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dump = (o: { t0?: string; recs?: string[]; lanes?: string[]; end?: number | null } = {}): string => {
    const recs = o.recs ?? ["r 0 2 1 0", "r 3e8 3 1 4", "r 10 2 2 0"];
    return [`trace v1 records ${recs.length} first 0 size 256 t0 ${o.t0 ?? "1000"} bytes 16`, ...(o.lanes ?? ["lane 1 a", "lane 2 b"]), ...recs, ...(o.end === null ? [] : [`end ${o.end ?? recs.length}`])].join("\n") + "\n";
  };
  const cases: [string, string, RegExp][] = [
    ["t0 1e400", dump({ t0: "1e400" }), /: line 1: t0 1e400 is not a finite time in ms\n$/],
    ["a record field of 22 hex digits", dump({ recs: ["r 0 2 1 0", "r ffffffffffffffffffffff 3 1 4", "r 10 2 2 0"] }), /: line 5: malformed trace record "r ffffffffffffffffffffff 3 1 4"\n$/],
    ["lane 10^24", dump({ lanes: ["lane 1000000000000000000000000 x"] }), /: line 2: lane 1000000000000000000000000 is out of range \(at most 255\)\n$/],
    ["a record on lane 0xffff", dump({ recs: ["r 0 2 ffff 0"] }), /: line 4: lane 65535 is out of range \(at most 255\)\n$/],
    ["a dump cut short (no end line)", dump({ end: null }), /: the dump is truncated: 3 of 3 records, and no `end` line\n$/],
    ["fewer records than the header announced", dump().replace("records 3", "records 5"), /: line 7: the dump ends with 3 records, the header announced 5, and 3 were read \(a truncated or damaged dump\)\n$/],
  ];
  for (const [what, text, re] of cases) {
    it(`refuses ${what} with one line and exit 1`, () => {
      const f = path.join(dir, "bad.txt");
      fs.writeFileSync(f, text);
      const r = runTrace([f, path.join(dir, "bad.json")]);
      assert.equal(r.code, 1);
      assert.match(r.err, re);
      assert.equal(r.err.split("\n").length, 2, r.err);
      assert.ok(!fs.existsSync(path.join(dir, "bad.json")), "nothing written");
    });
  }

  it("refuses a directory and a device up front, and an endless line on stdin, each with one line", () => {
    let r = runTrace([dir]);
    assert.equal(r.code, 1);
    assert.equal(r.err, `npm run trace: ${dir}: not a regular file (a directory): give the text file a trace dump was saved to\n`);
    r = runTrace(["/dev/zero"]);
    assert.equal(r.code, 1);
    assert.equal(r.err, "npm run trace: /dev/zero: not a regular file (a device, pipe or socket): give the text file a trace dump was saved to\n");
    const z = spawnSync("sh", ["-c", `head -c 200000 /dev/zero | "${process.execPath}" "${path.join(ROOT, "node_modules/tsx/dist/cli.mjs")}" "${path.join(ROOT, "scripts/trace.ts")}" - "${path.join(dir, "z.json")}"`], { encoding: "utf8" });
    assert.equal(z.status, 1);
    assert.equal(z.stderr, "npm run trace: -: a line longer than 64 KB: not a console log with a trace dump\n");
  });
});
