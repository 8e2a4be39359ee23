// The dashboard of `npm start -- --web` (host/web), end to end: the real `npm start` program in a child
// process, a real browser (Debian's chromium, driven by playwright-core), and bad input over raw
// WebSockets. CI installs chromium (.ci/run); CHROMIUM_PATH names another binary. Without chromium the
// browser test is skipped (npm test says so first, scripts/preflight.mjs), unless CI=true.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import WebSocket from "ws";
import { assert } from "./lib/assert";
import { MAX_MESSAGE } from "../host/web/server";

// what the functions run in the page use of the DOM (tsconfig has no DOM lib)
interface PageElement { textContent: string | null }
declare const document: { querySelector(sel: string): PageElement | null; getElementById(id: string): PageElement | null };

const ROOT = path.resolve(__dirname, "..");
const DEMO_TASKS = ["printer", "console", "led", "buttons", "ir", "env", "modem"];

/** CHROMIUM_PATH, else chromium or chromium-browser on PATH (scripts/preflight.mjs looks the same way), else null. */
function findChromium(): string | null {
  const given = process.env.CHROMIUM_PATH;
  if (given !== undefined && given !== "") return fs.existsSync(given) ? given : null;
  for (const name of ["chromium", "chromium-browser"]) {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "")) {
      const f = path.join(dir, name);
      try {
        fs.accessSync(f, fs.constants.X_OK);
        if (fs.statSync(f).isFile()) return f;
      } catch {
        // not here
      }
    }
  }
  return null;
}

function chromiumPath(): string {
  const found = findChromium();
  if (found === null) throw new Error("no chromium in CHROMIUM_PATH or on PATH: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH");
  return found;
}

/** `npm start -- --web 0` in a child process; resolves with the URL it prints. */
function startDemo(): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "host/start.ts"), "--web", "0"], { cwd: ROOT, stdio: "pipe" });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no dashboard URL within 30 s; output:\n${out}`)), 30000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
  });
}

interface Sock {
  ws: WebSocket;
  msgs: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  next(pred: (m: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
}

function open(url: string, headers: Record<string, string> = {}): Promise<Sock> {
  const ws = new WebSocket(url.replace("http:", "ws:") + "ws", { headers });
  const msgs: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (d) => {
    msgs.push(JSON.parse(String(d)) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
  const sock: Sock = {
    ws, msgs, closed,
    next(pred, what) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${what} within 10 s; got ${JSON.stringify(msgs.map((m) => m.type))}`)), 10000);
        const check = (): void => {
          const i = msgs.findIndex(pred);
          if (i >= 0) {
            clearTimeout(t);
            resolve(msgs.splice(i, 1)[0]!);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(sock));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

function get(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}

/** Wait until the text of `sel` matches `re`; the error shows the text it had. */
async function waitText(page: Page, sel: string, re: RegExp, timeout = 10000): Promise<void> {
  try {
    await page.waitForFunction(([s, src]) => new RegExp(src).test(document.querySelector(s)!.textContent!), [sel, re.source] as const, { timeout });
  } catch {
    throw new Error(`${sel} never matched ${re} within ${timeout} ms; it shows:\n${(await page.textContent(sel))!.slice(-1500)}`);
  }
}

describe("dashboard (npm start -- --web)", function () {
  this.timeout(120000);
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let browser: Browser | null = null;

  before(async () => {
    demo = await startDemo();
  });
  after(async () => {
    if (browser !== null) await browser.close();
    demo.child.kill("SIGINT");
  });

  it("in chromium: button, IR, temperature, fault, console, timeline lanes and an exported trace; a narrow window", async function () {
    // without chromium the test is skipped (npm test's first step says so), except with CI=true
    if (process.env.CI !== "true" && findChromium() === null) {
      console.log("    (skipped: chromium is not installed; apt-get install -y chromium, or put it on PATH or in CHROMIUM_PATH)");
      this.skip();
    }
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const offline: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(demo.url) && !r.url().startsWith(demo.url.replace("http:", "ws:")) && !r.url().startsWith("blob:")) offline.push(r.url());
    });
    await page.goto(demo.url);
    await page.waitForSelector("#status.ok");
    await page.waitForSelector('#tasks tr[data-task="led"] td.st-running');
    // what the input tasks wait on, by name: the button's pin edges and the IR receiver's frames
    await waitText(page, '#tasks tr[data-task="buttons"] td:nth-child(3)', /^button edge$/);
    await waitText(page, '#tasks tr[data-task="ir"] td:nth-child(3)', /^IR frame$/);
    // the sensor inputs show what the simulated HTU21D is set to (20 °C, 50 %RH)
    await page.waitForFunction(() => (document.getElementById("temp") as unknown as { value: string }).value === "20" && (document.getElementById("rh") as unknown as { value: string }).value === "50");

    // the button: a click turns the LED on (reported when the double-click window closes), and the log says so
    assert.equal(await page.getAttribute("#led", "data-lit"), "0");
    await page.click("#btn-click");
    await page.waitForSelector('#led[data-lit="1"]');
    await waitText(page, "#log", /\[button\] click/);
    await waitText(page, "#log", /\[led\] LED off -> on/);

    // an IR key: 0x46 turns it off
    // (in real time on a busy machine a frame can arrive stretched and be refused as a bad frame, as a
    // real receiver would: the page then shows that, and the key is sent again, at most three times)
    for (let attempt = 1; ; attempt++) {
      await page.click("#ir-0x46");
      try {
        await waitText(page, "#log", /\[ir\] key 0x46/, 5000);
        break;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
    await page.waitForSelector('#led[data-lit="0"]');

    // the temperature: the next reading shows it
    await page.fill("#temp", "31.5");
    await page.click("#temp-set");
    await waitText(page, "#answer", /temperature set to 31\.5/);
    await waitText(page, "#reading", /^31\.50 °C/, 15000);

    // a fault: the next sample is not acknowledged, and the log reports it
    await page.click("#fault-nack");
    await waitText(page, "#log", /\[WARN\] \[env\] sample failed/, 15000);
    // the log filter keeps only matching lines
    await page.fill("#log-filter", "sample failed");
    const shown = await page.$$eval("#log div", (ds) => ds.map((d) => d.textContent!));
    assert.ok(shown.length >= 1 && shown.every((l) => l.includes("sample failed")), shown.join("\n"));
    await page.fill("#log-filter", "");

    // the console, the same one as on the terminal
    await page.fill("#console-in", "services");
    await page.press("#console-in", "Enter");
    await waitText(page, "#console-out", /● env - HTU21D.*active/);
    // each line is echoed before its answer, and Up/Down walk the lines sent, as in a shell
    await waitText(page, "#console-out", /> services\n● led/);
    await page.fill("#console-in", "log stats");
    await page.press("#console-in", "Enter");
    await waitText(page, "#console-out", /> log stats\n\d+ records, /);
    const inputValue = (): Promise<string> => page.inputValue("#console-in");
    await page.press("#console-in", "ArrowUp");
    assert.equal(await inputValue(), "log stats");
    await page.press("#console-in", "ArrowUp");
    assert.equal(await inputValue(), "services");
    await page.press("#console-in", "ArrowUp");
    assert.equal(await inputValue(), "services", "the oldest line stays");
    await page.press("#console-in", "ArrowDown");
    assert.equal(await inputValue(), "log stats");
    await page.press("#console-in", "ArrowDown");
    assert.equal(await inputValue(), "");

    // the timeline has a lane for each of the demo's tasks
    await page.waitForFunction((names) => names.every((n) => document.querySelector(`#tl-lanes [data-lane="${n}"]`) !== null), DEMO_TASKS);
    // a double click sets the LED blinking fast: its lane fills up; then zoom out and pause
    await page.click("#btn-double");
    await waitText(page, "#led-mode", /^fast$/);
    await new Promise((r) => setTimeout(r, 1500));
    await page.click("#tl-zoom-out");
    await page.click("#tl-pause");
    assert.equal(await page.textContent("#tl-pause"), "Live");
    type Timeline = { events: number; startUs: number; endUs: number; spanMs: number; paused: boolean };
    const timeline = async (): Promise<Timeline> => (await page.evaluate("dashboardTimeline()")) as Timeline;
    const tl = await timeline();
    assert.ok(tl.paused && tl.spanMs === 4000 && tl.endUs > 10e6 && tl.events > 100, JSON.stringify(tl)); // paused at the last event, zoomed out to 4 s
    // panning: back by half a window per click, down to boot (the axis starts at 0, never before)
    await page.click("#tl-back");
    assert.equal((await timeline()).endUs, tl.endUs - 2e6);
    for (let k = 0; k < 40 && (await timeline()).startUs > 0; k++) await page.click("#tl-back");
    assert.deepEqual([(await timeline()).startUs, (await timeline()).endUs], [0, 4e6]);
    await waitText(page, "#tl-span", /^4 s window from 0\.00 s \(paused/);
    // dragging the timeline to the left goes later: a quarter of its width is a quarter of the window
    const box = (await page.locator("#tl-canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 4, box.y + 5, { steps: 4 });
    await page.mouse.up();
    const dragged = await timeline();
    assert.ok(Math.abs(dragged.endUs - 5e6) < 0.05e6, JSON.stringify(dragged));
    // the hover label names what is under the mouse, and goes when the mouse leaves
    await page.mouse.move(box.x + box.width / 2, box.y + 5);
    await waitText(page, "#tl-info", /\S/);
    await page.mouse.move(box.x + box.width / 2, box.y - 40);
    await waitText(page, "#tl-info", /^$/);
    await page.click("#tl-pause"); // live again

    fs.mkdirSync(path.join(ROOT, "build"), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, "build/dashboard.png"), fullPage: true });

    // export: trace-event JSON with slices for every task
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#tl-export")]);
    const json = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { traceEvents: { name: string; ph: string; tid: number; ts?: number; dur?: number; pid: number; args?: { name?: string } }[] };
    assert.ok(Array.isArray(json.traceEvents) && json.traceEvents.length > 100, "traceEvents");
    for (const e of json.traceEvents) {
      assert.ok(typeof e.name === "string" && typeof e.ph === "string" && typeof e.pid === "number" && typeof e.tid === "number", JSON.stringify(e));
      if (e.ph !== "M") assert.ok(typeof e.ts === "number", JSON.stringify(e));
      if (e.ph === "X") assert.ok(typeof e.dur === "number" && e.dur >= 0, JSON.stringify(e));
    }
    const tidOf = new Map(json.traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => [e.args!.name!, e.tid]));
    for (const name of DEMO_TASKS) {
      const tid = tidOf.get(name);
      assert.ok(tid !== undefined, `a lane for ${name}`);
      assert.ok(json.traceEvents.some((e) => e.ph === "X" && e.tid === tid), `slices for ${name}`);
    }

    // stop and restart a task from the table
    await page.click('#tasks tr[data-task="modem"] button[data-action="stop"]');
    await page.waitForSelector('#tasks tr[data-task="modem"] td.st-cancelled');
    await page.click('#tasks tr[data-task="modem"] button[data-action="start"]');
    await page.waitForSelector('#tasks tr[data-task="modem"] td.st-running');

    // narrow windows: one column, nothing wider than the window, every board button inside its pane
    for (const width of [800, 400]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      const layout = await page.evaluate(() => {
        type Box = { left: number; right: number };
        type El = { getBoundingClientRect(): Box; closest(s: string): El | null; id: string; textContent: string | null };
        const doc = document as unknown as { documentElement: { scrollWidth: number }; querySelectorAll(s: string): El[] };
        const spill = [...doc.querySelectorAll("section button, section input, h2 span, .row span")]
          .filter((b) => b.closest(".scroll") === null)
          .filter((b) => {
            const r = b.getBoundingClientRect();
            const p = b.closest("section")!.getBoundingClientRect();
            return r.left < p.left - 0.5 || r.right > p.right + 0.5;
          })
          .map((b) => b.id || b.textContent || "?");
        const sections = [...doc.querySelectorAll("section")].map((x) => x.getBoundingClientRect());
        return { scrollWidth: doc.documentElement.scrollWidth, innerWidth: (globalThis as unknown as { innerWidth: number }).innerWidth, spill, columns: new Set(sections.map((r) => Math.round(r.left))).size };
      });
      assert.ok(layout.scrollWidth <= layout.innerWidth, `${width} px: the page is ${layout.scrollWidth} px wide`);
      assert.deepEqual(layout.spill, [], `${width} px: outside their pane`);
      assert.equal(layout.columns, 1, `${width} px: one column`);
      await page.screenshot({ path: path.join(ROOT, `build/dashboard-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1400, height: 1000 });

    // a reload reconnects; the firmware went on
    const before = Number(/up ([\d.]+) s/.exec((await page.textContent("#uptime"))!)![1]);
    await page.reload();
    await page.waitForSelector("#status.ok");
    await page.waitForFunction((b) => Number(/up ([\d.]+) s/.exec(document.getElementById("uptime")!.textContent!)?.[1] ?? 0) > b, before);
    assert.deepEqual(errors, []);
    assert.deepEqual(offline, [], "the page fetches nothing from elsewhere");
    await browser.close();
    browser = null;
  });

  it("bad messages get a clear error each, and the firmware keeps running", async () => {
    const s = await open(demo.url);
    const errorFor = async (data: string | Buffer): Promise<string> => {
      s.ws.send(data);
      return String((await s.next((m) => m.type === "error", "error")).error);
    };
    assert.equal(await errorFor("{nope"), "malformed message: not JSON");
    assert.equal(await errorFor("[1,2]"), "malformed message: a JSON object with an op is expected");
    assert.equal(await errorFor(Buffer.from([1, 2, 3])), "binary messages are not understood: send JSON text");
    // the words of the page, never a JSON field name ("code", "value")
    assert.equal(await errorFor('{"op":"reboot"}'), 'unknown action "reboot" (the page sends button, ir, temp, rh, fault, task, console, trace)');
    assert.equal(await errorFor('{"op":"button","kind":"smash"}'), 'the button action must be one of click, double, hold, got "smash"');
    assert.equal(await errorFor('{"op":"temp","value":"20; reboot"}'), 'the temperature must be a number (like 21.5), got "20; reboot"');
    assert.equal(await errorFor('{"op":"rh"}'), "the humidity must be a number (like 45), got nothing");
    assert.equal(await errorFor('{"op":"ir","code":"abc"}'), 'the IR code must be a number (like 69 or 0x45), got "abc"');
    assert.equal(await errorFor('{"op":"task","action":"stop","name":"led; eval 1"}'), 'the task name must be a task\'s name (letters, digits, _ . / -), got "led; eval 1"');
    assert.equal(await errorFor('{"op":"console","line":"ps\\nstop led"}'), "one line at a time (no line breaks)");
    // out of range: the console's own check answers
    s.ws.send(JSON.stringify({ op: "temp", value: 500, id: 7 }));
    const a = await s.next((m) => m.type === "answer" && m.id === 7, "answer");
    assert.deepEqual(a.lines, ['error: the temperature is a number from -40 to 125, got "500"']);
    assert.equal(a.ok, false);
    s.ws.send(JSON.stringify({ op: "ir", code: 300, id: 8 }));
    assert.deepEqual((await s.next((m) => m.type === "answer" && m.id === 8, "answer")).lines, ['error: an IR command is 0..255 (0x45 or 69), got "300"']);
    s.ws.send(JSON.stringify({ op: "task", action: "stop", name: "ghost", id: 9 }));
    assert.match(String((await s.next((m) => m.type === "answer" && m.id === 9, "answer")).lines), /^error: .*ghost/);
    // too large: that socket is closed with 1009, the others go on
    s.ws.send("x".repeat(MAX_MESSAGE + 1));
    assert.equal((await s.closed).code, 1009);

    // many tabs: the 17th is refused with a reason, closing them abruptly harms nothing
    const socks: Sock[] = [];
    for (let i = 0; i < 16; i++) socks.push(await open(demo.url));
    const extra = await open(demo.url);
    const refused = await extra.closed;
    assert.equal(refused.code, 1013);
    assert.equal(refused.reason, "too many dashboards open (at most 16): close one and reload");
    for (const k of socks) k.ws.terminate();
    await new Promise((r) => setTimeout(r, 300));
    const again = await open(demo.url);
    const s1 = await again.next((m) => m.type === "state", "state");
    again.msgs.length = 0;
    const s2 = await again.next((m) => m.type === "state", "a later state");
    assert.ok((s2.now as number) > (s1.now as number), "time goes on");
    const tasks = s2.tasks as { name: string; state: string }[];
    for (const name of DEMO_TASKS) assert.equal(tasks.find((t) => t.name === name)?.state, "running", name);
    again.ws.close();
  });

  it("answers on loopback only, and only to pages of its own origin", async () => {
    const port = Number(new URL(demo.url).port);
    assert.equal(await get(demo.url, `127.0.0.1:${port}`), 200);
    assert.equal(await get(demo.url, `evil.example:${port}`), 403); // DNS rebinding
    assert.equal(await get(demo.url + "nope", `127.0.0.1:${port}`), 404);
    await assert.rejects(open(demo.url, { origin: "http://evil.example" }), /HTTP 401/);
    const external = Object.values(os.networkInterfaces()).flat().find((i) => i !== undefined && i.family === "IPv4" && !i.internal);
    if (external !== undefined) {
      await assert.rejects(new Promise((resolve, reject) => http.get(`http://${external.address}:${port}/`, resolve).on("error", reject)), /ECONNREFUSED/);
    }
    assert.ok(!demo.child.killed && demo.child.exitCode === null, "the demo still runs");
  });
});
