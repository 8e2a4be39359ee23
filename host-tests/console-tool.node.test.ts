// `npm run console` against the simulated board through a pseudo-terminal pair (socat): the demo firmware
// runs under `npm start` with its console on one end, the host console tool on the other. Node-only.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { assert } from "./lib/assert";
import { socatOrSkip } from "./lib/socat";

const ROOT = path.resolve(__dirname, "..");

function tsx(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(ROOT, script), ...args], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Resolve once `text` appears in what `get()` returns, or reject after `ms`. */
async function waitFor(get: () => string, text: string | RegExp, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = get();
    if (typeof text === "string" ? s.includes(text) : text.test(s)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; got:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm run console over a pty, against the simulated board", function () {
  this.timeout(40000);
  const procs: ChildProcess[] = [];
  let dir = "";

  before(function () {
    socatOrSkip(this, "console tool");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "console-pty-"));
  });

  after(() => {
    for (const p of procs) p.kill("SIGKILL");
  });

  it("sends typed lines to the running firmware's console and shows its answers", async () => {
    const board = path.join(dir, "board");
    const host = path.join(dir, "host");
    const socat = spawn("socat", [`pty,raw,echo=0,link=${board}`, `pty,raw,echo=0,link=${host}`], { stdio: "ignore" });
    procs.push(socat);
    await waitFor(() => (fs.existsSync(board) && fs.existsSync(host) ? "ok" : ""), "ok", 5000);

    const firmware = tsx("host/start.ts", ["--console-tty", board, "--for", "30"]);
    procs.push(firmware);
    let fwOut = "";
    firmware.stdout!.on("data", (d: Buffer) => (fwOut += d.toString()));
    firmware.stderr!.on("data", (d: Buffer) => (fwOut += d.toString()));

    const tool = tsx("scripts/console/console.ts", ["--port", host, "--history", path.join(dir, "history")]);
    procs.push(tool);
    let out = "";
    tool.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    tool.stderr!.on("data", (d: Buffer) => (out += d.toString()));

    // the firmware may still be booting: ask until the console answers
    const deadline = Date.now() + 20000;
    while (!out.includes("help")) {
      if (Date.now() > deadline) throw new Error(`no answer to help; console tool got:\n${out}\nfirmware printed:\n${fwOut}`);
      tool.stdin!.write("help\n");
      await new Promise((r) => setTimeout(r, 1000));
    }
    tool.stdin!.write("ps\n");
    await waitFor(() => out, /led/, 10000);
    tool.stdin!.write("no-such-command\n");
    await waitFor(() => out, /error/i, 10000);
    tool.stdin!.end();
    const code = await new Promise<number | null>((resolve) => tool.on("exit", resolve));
    assert.equal(code, 0);
  });
  /** A socat pty pair in `dir` (board end, host end). */
  async function ptyPair(tag: string): Promise<{ board: string; host: string; socat: ChildProcess }> {
    const board = path.join(dir, `${tag}-board`);
    const host = path.join(dir, `${tag}-host`);
    const socat = spawn("socat", [`pty,raw,echo=0,link=${board}`, `pty,raw,echo=0,link=${host}`], { stdio: "ignore" });
    procs.push(socat);
    await waitFor(() => (fs.existsSync(board) && fs.existsSync(host) ? "ok" : ""), "ok", 5000);
    return { board, host, socat };
  }

  /** Pipe `input` into `npm run console`; resolves with its output and exit code. */
  function pipedConsole(host: string, input: string): Promise<{ out: string; err: string; code: number | null }> {
    const tool = tsx("scripts/console/console.ts", ["--port", host, "--history", path.join(dir, "history")]);
    procs.push(tool);
    let out = "";
    let err = "";
    tool.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    tool.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    tool.stdin!.end(input);
    return new Promise((resolve) => tool.on("exit", (code) => resolve({ out, err, code })));
  }

  it("piped input: every one of 150 lines is answered, in order, before it exits 0; the bridge reopens a pty that comes back", async function () {
    this.timeout(90000);
    const pty = await ptyPair("paste");
    const firmware = tsx("host/start.ts", ["--console-tty", pty.board, "--for", "80"]);
    procs.push(firmware);
    let fwOut = "";
    firmware.stdout!.on("data", (d: Buffer) => (fwOut += d.toString()));
    await waitFor(() => fwOut, "ready: ", 20000);
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) lines.push("help led", "led on", "led off");
    const r = await pipedConsole(pty.host, lines.join("\n") + "\n");
    assert.equal(r.code, 0, r.err);
    const expected: string[] = [];
    for (let i = 0; i < 50; i++) expected.push("led [off|on|slow|fast]: show or set the LED mode", "LED on", "LED off");
    assert.deepEqual(r.out.split("\n").filter((l) => l !== ""), expected);

    // the pty goes away and comes back: the demo says so and the console works again
    pty.socat.kill();
    await waitFor(() => fwOut, `console ${pty.board} closed; reopening it when it comes back`, 10000);
    const again = spawn("socat", [`pty,raw,echo=0,link=${pty.board}`, `pty,raw,echo=0,link=${pty.host}`], { stdio: "ignore" });
    procs.push(again);
    await waitFor(() => fwOut, `console ${pty.board} is back`, 10000);
    const r2 = await pipedConsole(pty.host, "led\n");
    assert.equal(r2.code, 0, r2.err);
    assert.equal(r2.out, "LED off\n");
  });

  it("piped input: exits 1, saying so, when the port closes before every line was answered", async function () {
    this.timeout(30000);
    const pty = await ptyPair("closes");
    // nobody answers on the board end; the pair goes away while the tool waits
    setTimeout(() => pty.socat.kill(), 5000);
    const r = await pipedConsole(pty.host, "status\nstatus\n");
    assert.equal(r.code, 1);
    assert.match(r.err, /closed \(board reset or unplugged\?\); \d+ lines not answered/);
  });
});
