// The dashboard under a flood (issue 24): what the issue's attacker sent, for 8 s, at the real `npm start
// -- --web 0` in a child process: 4000 console lines of 3.9 KB a second, 1000 `button hold` messages a
// second, 8 pages that never read, and one asking for `log cat` every second. Every queue a page can fill
// is bounded (host/web/server.ts, sim/serial.ts, sim/board.ts): the server's memory stays within FLOOD_RSS_MB
// of what it used before, and the console on the terminal answers `status` within 1 s throughout (real
// time: the server runs in real time; the bound is the issue's).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import WebSocket from "ws";
import { assert } from "./lib/assert";

const ROOT = path.resolve(__dirname, "..");
/** The stated bound: growth of the server's resident memory during the flood. */
const FLOOD_RSS_MB = 100;
const FLOOD_MS = 8000;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? NaN : Number(m[1]) / 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("dashboard under a flood (npm start -- --web 0)", function () {
  this.timeout(90000);
  let child: ChildProcessWithoutNullStreams;
  let out = "";
  let url = "";

  before(async () => {
    // one process (node --import tsx), so its memory is the server's
    child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "host/start.ts"), "--web", "0"], { cwd: ROOT, stdio: "pipe" });
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 300 && !/dashboard: http/.test(out); i++) await sleep(100);
    const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
    if (m === null) throw new Error(`no dashboard URL within 30 s:\n${out}`);
    url = m[1]!.replace("http:", "ws:") + "ws";
  });
  after(() => {
    child.kill("SIGTERM");
  });

  it(`stays within ${FLOOD_RSS_MB} MB more memory, and the terminal console answers within 1 s throughout`, async () => {
    const open = (): Promise<WebSocket> => new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
    await sleep(1000);
    const base = rssMb(child.pid!);
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid!))), 100);

    // the terminal: `status` once a second, timed until its first answer line
    const latencies: number[] = [];
    let stopProbe = false;
    const probe = (async () => {
      while (!stopProbe) {
        const from = out.length;
        const t0 = Date.now();
        child.stdin.write("status\n");
        while (!/\nup \d/.test(out.slice(from - 1)) && Date.now() - t0 < 5000) await sleep(5);
        latencies.push(Date.now() - t0);
        await sleep(1000);
      }
    })();

    const flooder = await open();
    const buttons = await open();
    const silent: WebSocket[] = [];
    for (let i = 0; i < 8; i++) {
      const ws = await open();
      (ws as unknown as { _socket: { pause(): void } })._socket.pause(); // never reads again
      silent.push(ws);
    }
    const reader = await open();
    let state: Record<string, unknown> | null = null;
    reader.on("message", (d) => {
      const m = JSON.parse(String(d)) as Record<string, unknown>;
      if (m.type === "state") state = m;
    });
    const line = "A".repeat(3900);
    const msg = JSON.stringify({ op: "console", line });
    const hold = JSON.stringify({ op: "button", kind: "hold" });
    let sent = 0;
    const end = Date.now() + FLOOD_MS;
    let nextCat = 0;
    // the rates: 4000 console lines of 3.9 KB a second (40,000 in 10 s), and 1000 `button hold` a
    // second (its 77,600 came over a longer time)
    while (Date.now() < end) {
      for (let i = 0; i < 40; i++) {
        if (flooder.bufferedAmount < 1 << 20) flooder.send(msg);
        sent++;
      }
      for (let i = 0; i < 10; i++) {
        if (buttons.bufferedAmount < 1 << 20) buttons.send(hold);
        sent++;
      }
      if (Date.now() >= nextCat) {
        nextCat = Date.now() + 1000;
        reader.send(JSON.stringify({ op: "console", line: "log cat" }));
      }
      await sleep(10);
    }
    stopProbe = true;
    await probe;
    clearInterval(sampler);
    const limits = (state as unknown as { limits: Record<string, number> } | null)?.limits;
    process.stdout.write(`      (${sent} messages in ${FLOOD_MS / 1000} s; RSS ${base.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB; status answered in ${latencies.join(", ")} ms; limits ${JSON.stringify(limits)})\n`);
    assert.ok(peak - base <= FLOOD_RSS_MB, `RSS grew from ${base.toFixed(0)} MB to ${peak.toFixed(0)} MB`);
    assert.ok(latencies.length >= 5, `${latencies.length} probes`);
    for (const ms of latencies) assert.ok(ms <= 1000, `the terminal console took ${ms} ms to answer status (all: ${latencies.join(", ")})`);
    assert.ok(limits !== undefined && limits.rateDropped! > 0, JSON.stringify(limits));
    for (const ws of [flooder, buttons, reader, ...silent]) ws.terminate();
  });
});
