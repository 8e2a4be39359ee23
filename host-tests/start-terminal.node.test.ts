// `npm start` with its console on this process's stdin/stdout (host/terminal.ts, host/line-pacer.ts):
// piped lines are answered in full and in order; the end of input quits once they are answered, or,
// with --for, when the time is up. Node-only (child processes).
import { spawn } from "node:child_process";
import path from "node:path";
import { assert } from "./lib/assert";

const ROOT = path.resolve(__dirname, "..");

function start(args: string[], input: string): Promise<{ out: string; code: number | null; ms: number }> {
  const t0 = Date.now();
  const p = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(ROOT, "host/start.ts"), ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString()));
  p.stderr.on("data", (d: Buffer) => (out += d.toString()));
  p.stdin.end(input);
  return new Promise((resolve) => p.on("exit", (code) => resolve({ out, code, ms: Date.now() - t0 })));
}

describe("npm start: the console on stdin/stdout", function () {
  this.timeout(60000);

  it("a piped paste of 120 lines is answered line for line, in order, then the demo quits", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) lines.push("help led", "led on", "led");
    const r = await start([], lines.join("\n") + "\nnot-a-command\n");
    assert.equal(r.code, 0);
    const answers = r.out.split("\n").filter((l) => /^(led \[|LED |error: )/.test(l));
    const expected: string[] = [];
    for (let i = 0; i < 40; i++) expected.push("led [off|on|slow|fast]: show or set the LED mode", "LED on", "LED on");
    expected.push('error: unknown command "not-a-command" (try help)');
    assert.deepEqual(answers, expected);
    assert.match(r.out, /demo: end of input, bye\n$/);
    assert.ok(!r.out.includes("overrun"), "no input overrun");
  });

  it("with --for, the end of piped input does not cut the run short", async () => {
    const r = await start(["--for", "3"], "led\n");
    assert.equal(r.code, 0);
    assert.match(r.out, /\nLED off\n/);
    assert.match(r.out, /demo: 3 s are up \(--for\), bye\n$/);
    assert.ok(r.ms >= 3000, `ran ${r.ms} ms`);
  });
});

describe("npm start unattended (issue 24)", function () {
  this.timeout(60000);

  it("with --web and input closed it keeps serving until SIGTERM; a second demo on the same port exits 1 with one line", async () => {
    const p = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(ROOT, "host/start.ts"), "--web", "0"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.stdin.end();
    const exited = new Promise<number | null>((resolve) => p.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 300 && !/end of input; the dashboard serves on/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const port = /dashboard: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
    assert.ok(port !== undefined, out);
    assert.match(out, /demo: end of input; the dashboard serves on until SIGTERM \(pid \d+\)\n/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(p.exitCode, null, "still running after its input ended");
    const busy = await start(["--web", port!], "");
    assert.equal(busy.code, 1);
    assert.match(busy.out, new RegExp(`\\ndashboard: not started: port ${port} on 127\\.0\\.0\\.1 is in use \\(try another, or 0 for any free port\\)\\n$`));
    p.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.match(out, /demo: SIGTERM, bye\n$/);
  });
});
