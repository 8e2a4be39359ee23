// Node only: the dashboard of `npm start -- --web [PORT]`. An HTTP server on 127.0.0.1 serves one page
// (host/web/page/: HTML, CSS, JS, no framework, nothing fetched from elsewhere) and a WebSocket at /ws that
// streams the simulated board, the task registry, the services, the RAM log, the console and the task trace,
// and takes stimuli and commands.
//
// It adds no code path to the firmware: stimuli and task control go through the demo console's commands
// (the same validation and answers as on the terminal), the console pane's lines too (its output shows the
// console UART as the terminal does), and the rest is read from the registry, the services, the log and the trace ring.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import type { Demo } from "../../examples/demo/app";
import { now, spawn, TRACE, waitLabel, type Gen, type TraceRecord } from "../../firmware/sched/index";
import { labelTraceWaits } from "../../firmware/control/commands/trace";
import type { LogEntry } from "../../firmware/control/ringlog";
import type { SimBoard } from "../../sim/board";
import type { SimSerialPort } from "../../sim/serial";
import { TraceConverter, type TraceEvent } from "../trace-events";

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** TCP port on 127.0.0.1 (0: any free port). */
  port: number;
  sim: SimBoard;
  demo: Demo;
  /** The console's UART number on the simulated board. */
  consolePort: number;
  /** Most pages open at once (default 16); more are refused with a close message. */
  maxClients?: number;
  /** Trace ring size in records (default 8192); the server reads it every `tickMs`. */
  traceRecords?: number;
  /** How often the state goes out (default 250 ms). */
  tickMs?: number;
}

/** A running dashboard. */
export interface Dashboard {
  readonly url: string;
  readonly port: number;
  /** Stop serving (open pages are told and disconnected); the firmware goes on. */
  close(): Promise<void>;
}

const PAGE_DIR = path.join(__dirname, "page");
const STATIC: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/app.css": ["app.css", "text/css; charset=utf-8"],
};
/** Largest message a page may send (bytes); larger ones close that page's socket (1009). */
export const MAX_MESSAGE = 4096;
/**
 * Per page: messages a second it may send (a token bucket of RATE_BURST); more are dropped, counted, and
 * answered with one error a second at most.
 */
export const RATE_PER_S = 50;
export const RATE_BURST = 100;
/**
 * Outgoing bytes a page may leave unread (ws.bufferedAmount): above it the periodic updates to that page
 * are dropped (counted); a page above it for SLOW_CLOSE_MS is disconnected (1013).
 */
export const MAX_UNREAD = 1 << 20;
export const SLOW_CLOSE_MS = 10000;
/** Trace events kept for pages that connect later (and for export). */
const KEEP_EVENTS = 20000;
const LOG_BACKLOG = 200;

type Msg = Record<string, unknown>;

/** A message from a page that cannot be carried out: answered with its text, nothing else happens. */
class BadMessage extends Error {}

const NAME = /^[A-Za-z0-9_.\/-]{1,64}$/;
const NUMBER = /^-?\d{1,6}(\.\d{1,6})?$/;
const HEX = /^0x[0-9a-fA-F]{1,4}$/;

/** What a message's field is to someone using the page (errors name these, never the JSON field). */
const FIELD_WORDS: Record<string, string> = {
  code: "the IR code",
  temp: "the temperature",
  rh: "the humidity",
  kind: "the button action",
  fault: "the fault",
  action: "the task action",
  name: "the task name",
};

/** The console line a page's action stands for (only words from fixed lists and checked tokens). */
export function actionLine(m: Msg): string {
  const what = (k: string): string => FIELD_WORDS[k === "value" ? String(m.op) : k] ?? k;
  const got = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));
  const str = (k: string): string => {
    const v = m[k];
    if (typeof v !== "string") throw new BadMessage(`${what(k)} is missing or not text (got ${got(v)})`);
    return v;
  };
  const num = (k: string, hex = false): string => {
    const v = m[k];
    const s = typeof v === "number" && Number.isFinite(v) ? String(v) : typeof v === "string" ? v.trim() : "";
    if (!NUMBER.test(s) && !(hex && HEX.test(s))) throw new BadMessage(`${what(k)} must be a number (like ${hex ? "69 or 0x45" : m.op === "rh" ? "45" : "21.5"}), got ${got(v)}`);
    return s;
  };
  const oneOf = (k: string, allowed: string[]): string => {
    const v = str(k);
    if (allowed.indexOf(v) < 0) throw new BadMessage(`${what(k)} must be one of ${allowed.join(", ")}, got ${got(v)}`);
    return v;
  };
  switch (m.op) {
    case "button":
      return ({ click: "press", double: "double", hold: "long" } as Record<string, string>)[oneOf("kind", ["click", "double", "hold"])]!;
    case "ir":
      return `ir ${num("code", true)}`;
    case "temp":
      return `temp ${num("value")}`;
    case "rh":
      return `rh ${num("value")}`;
    case "fault": {
      const f = oneOf("fault", ["nack", "crc", "busy", "modem-silent", "modem-noise", "modem-ok"]);
      // UART noise: 40 bytes of line noise run into the modem's next reply (a garbled line it must drop)
      return f === "modem-noise" ? "modem noise 40" : f.startsWith("modem-") ? `modem ${f.slice(6)}` : `fault ${f}`;
    }
    case "task": {
      const action = oneOf("action", ["stop", "restart", "start"]);
      const name = str("name");
      if (!NAME.test(name)) throw new BadMessage(`${what("name")} must be a task's name (letters, digits, _ . / -), got ${JSON.stringify(name.slice(0, 80))}`);
      return `${action} ${name}`;
    }
    default:
      throw new BadMessage(`unknown action ${JSON.stringify(typeof m.op === "string" ? m.op.slice(0, 40) : m.op)} (the page sends button, ir, temp, rh, fault, task, console, trace)`);
  }
}

function loopbackHost(h: string | undefined, port: number): boolean {
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

/**
 * Serve the dashboard. Call it while the demo runs (from onReady or later): it starts the task trace (a
 * ring of `traceRecords`) and reads it, the log and the registry every `tickMs`.
 */
export function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const { sim, demo } = o;
  const maxClients = o.maxClients ?? 16;
  const tickMs = o.tickMs ?? 250;
  const con = demo.console;
  if (con === null) throw new Error("the dashboard needs the demo's console");
  const clients = new Set<WebSocket>();
  const events: TraceEvent[] = [];
  const conv = new TraceConverter(TRACE.lanes as string[], TRACE.labels as string[]);
  let traceSeq = 0;
  let traceLost = 0;
  let logCursor = demo.log.end;
  let consoleText = "";
  let closed = false;
  /** What the limits did, for the state message (and the flood test). */
  const limits = { rateDropped: 0, updatesDropped: 0, slowClosed: 0, consoleBusy: 0 };
  interface PageState { tokens: number; refilledAt: number; noticeAt: number; unreadSince: number; running: boolean }
  const pages = new Map<WebSocket, PageState>();

  labelTraceWaits();
  TRACE.start(now, { records: o.traceRecords ?? 8192 });

  const send = (ws: WebSocket, m: Msg): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  /** May `ws` get another update? Not while it leaves MAX_UNREAD bytes unread; after SLOW_CLOSE_MS of that, it is closed. */
  const keepsUp = (ws: WebSocket): boolean => {
    const p = pages.get(ws);
    if (p === undefined || ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount <= MAX_UNREAD) {
      p.unreadSince = NaN;
      return true;
    }
    const t = Date.now();
    if (Number.isNaN(p.unreadSince)) p.unreadSince = t;
    else if (t - p.unreadSince >= SLOW_CLOSE_MS) {
      limits.slowClosed++;
      clients.delete(ws);
      pages.delete(ws);
      ws.terminate(); // a close frame would wait behind what it does not read
      return false;
    }
    limits.updatesDropped++;
    return false;
  };
  const broadcast = (m: Msg): void => {
    if (clients.size === 0) return;
    const text = JSON.stringify(m);
    for (const ws of clients) if (keepsUp(ws)) ws.send(text);
  };
  /** Take a token from the page's bucket; false (and at most one error a second) when it sends too fast. */
  const admit = (ws: WebSocket): boolean => {
    const p = pages.get(ws);
    if (p === undefined) return false;
    const t = Date.now();
    p.tokens = Math.min(RATE_BURST, p.tokens + ((t - p.refilledAt) * RATE_PER_S) / 1000);
    p.refilledAt = t;
    if (p.tokens >= 1) {
      p.tokens -= 1;
      return true;
    }
    limits.rateDropped++;
    if (t - p.noticeAt >= 1000) {
      p.noticeAt = t;
      send(ws, { type: "error", id: null, error: `too many messages: at most ${RATE_PER_S} a second (${limits.rateDropped} dropped so far)` });
    }
    return false;
  };

  // The console UART, as the terminal sees it: what it transmits goes to every page.
  const tapped = new WeakSet<SimSerialPort>();
  const tap = (n: number, port: SimSerialPort): void => {
    if (n !== o.consolePort || tapped.has(port)) return;
    tapped.add(port);
    port.peer.onData((bytes) => {
      const text = Buffer.from(bytes).toString("utf8");
      consoleText = (consoleText + text).slice(-8000);
      broadcast({ type: "console", text });
    });
  };
  sim.onSerialOpen(tap);

  const entry = (e: LogEntry): Msg => ({ seq: e.seq, time: e.time, level: e.level, tag: e.tag, msg: e.msg });

  function state(): Msg {
    const now = sim.clock.nowMs();
    const tasks = demo.registry.list().map((c) => {
      const t = c.task;
      const p = c.profile;
      const err = c.state === "failed" ? (c.traceback[0] ?? String(c.error)) : "";
      return {
        name: c.name, state: c.state, task: t !== null ? t.state : "", waits: t !== null && t.state === "waiting" ? waitLabel(t.waitOn, t) : "",
        runs: p !== undefined ? p.resumes : null, runMs: p !== undefined ? Math.round(p.runMs * 10) / 10 : null,
        maxStepMs: p !== undefined ? Math.round(p.maxStepMs * 10) / 10 : null, stalls: p !== undefined ? p.stalls : null, starts: c.starts, error: err,
      };
    });
    const services = demo.services.all().map((s) => ({ name: s.name, state: s.state, reason: s.reason, requires: s.requires, description: s.def.description ?? "" }));
    const r = demo.env.latest;
    return {
      type: "state", now,
      led: { lit: sim.pins.level(sim.pin.led) === 1, mode: demo.led.mode, changes: demo.led.changesCount },
      env: { reading: r === null ? null : { celsius: r.celsius, rh: r.rh, at: r.at }, samples: demo.env.samples, failures: demo.env.failures, set: { celsius: sim.htu.temperature, rh: sim.htu.humidity } },
      modem: { silent: sim.modem.silent, commands: demo.modem.commands, unanswered: demo.modem.silent, last: demo.modem.lastReply },
      ir: { keys: demo.ir.keys, repeats: demo.ir.repeats, errors: demo.ir.errors },
      tasks, services,
      trace: { on: TRACE.on, records: TRACE.seq, lost: traceLost, lanes: TRACE.lanes.length - 1 },
      pages: clients.size, limits: { ...limits, gesturesRefused: sim.refused.gestures, irKeysRefused: sim.refused.irKeys, uartRefused: sim.port(o.consolePort)?.peer.refusedSends ?? 0 },
    };
  }

  function newLog(): Msg[] {
    const log = demo.log;
    const out: Msg[] = [];
    if (logCursor < log.first) logCursor = log.first;
    for (; logCursor < log.end; logCursor++) {
      const e = log.read(logCursor);
      if (e !== null) out.push(entry(e));
    }
    return out;
  }

  const rec: TraceRecord = { seq: 0, t: 0, type: 0, lane: 0, arg: 0 };
  function newTrace(): TraceEvent[] {
    const out: TraceEvent[] = [];
    if (traceSeq < TRACE.first) {
      traceLost += TRACE.first - traceSeq;
      traceSeq = TRACE.first;
    }
    for (; traceSeq < TRACE.seq; traceSeq++) if (TRACE.read(traceSeq, rec)) conv.push(rec, out);
    for (const e of out) events.push(e);
    if (events.length > KEEP_EVENTS) events.splice(0, events.length - KEEP_EVENTS);
    return out;
  }

  const timer = setInterval(() => {
    try {
      const log = newLog();
      const trace = newTrace();
      broadcast(state());
      if (log.length > 0) broadcast({ type: "log", entries: log });
      if (trace.length > 0) broadcast({ type: "trace", events: trace, meta: conv.metadata() });
    } catch (e) {
      process.stderr.write(`dashboard: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  }, tickMs);

  /** Run a console line in a task of its own and answer the page with the console's answer. */
  function runLine(ws: WebSocket, id: unknown, line: string): void {
    spawn("web", function* web(): Gen<void> {
      const lines = yield* con!.execute(line);
      send(ws, { type: "answer", id, line, lines, ok: !(lines[0] ?? "").startsWith("error:") });
    });
  }

  function onMessage(ws: WebSocket, data: unknown, isBinary: boolean): void {
    let id: unknown = null;
    if (!admit(ws)) return;
    try {
      if (isBinary) throw new BadMessage("binary messages are not understood: send JSON text");
      let m: unknown;
      try {
        m = JSON.parse(String(data));
      } catch {
        throw new BadMessage("malformed message: not JSON");
      }
      if (m === null || typeof m !== "object" || Array.isArray(m)) throw new BadMessage("malformed message: a JSON object with an op is expected");
      const msg = m as Msg;
      id = typeof msg.id === "number" || typeof msg.id === "string" ? msg.id : null;
      if (msg.op === "console") {
        const line = msg.line;
        if (typeof line !== "string") throw new BadMessage("the console line is missing or not text");
        if (/[\r\n]/.test(line)) throw new BadMessage("one line at a time (no line breaks)");
        // Run by the console itself (the same commands, checks and answers), not sent down its UART: there a
        // page's `log cat` (8 KB at 115200 baud: 0.7 s) would hold up the terminal behind it. The echo and
        // the answer go to every page's console pane. One line in flight per page.
        if (/^\s*(log\s+follow|trace\s+dump)(\s|$)/.test(line)) throw new BadMessage("log follow and trace dump are for a console of its own: the log pane follows the log, and Export saves the trace");
        const page = pages.get(ws)!;
        if (page.running) {
          limits.consoleBusy++;
          throw new BadMessage("the previous console line is still running: try again when it has answered");
        }
        page.running = true;
        spawn("web-console", function* webConsole(): Gen<void> {
          try {
            const lines = yield* con!.execute(line);
            const text = `> ${line}\n${lines.map((l) => l + "\n").join("")}`;
            consoleText = (consoleText + text).slice(-8000);
            broadcast({ type: "console", text });
            send(ws, { type: "answer", id, line, lines: [], ok: !(lines[0] ?? "").startsWith("error:") });
          } finally {
            page.running = false;
          }
        });
        return;
      }
      if (msg.op === "trace") {
        const a = msg.action;
        if (a === "pause") TRACE.pause(true);
        else if (a === "resume") TRACE.pause(false);
        else throw new BadMessage("the trace action must be pause or resume");
        send(ws, { type: "answer", id, lines: [`trace ${TRACE.on ? "on" : "paused"}`], ok: true });
        return;
      }
      runLine(ws, id, actionLine(msg));
    } catch (e) {
      const text = e instanceof BadMessage ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      send(ws, { type: "error", id, error: text });
    }
  }

  const server = http.createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    if (!loopbackHost(req.headers.host, port)) {
      res.writeHead(403, { "content-type": "text/plain" }).end("the dashboard answers on 127.0.0.1 / localhost only\n");
      return;
    }
    const url = (req.url ?? "/").split("?")[0]!;
    if (url === "/trace.json" && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json", "content-disposition": 'attachment; filename="trace.json"' });
      res.end(JSON.stringify({ traceEvents: [...conv.metadata(), ...events], displayTimeUnit: "ms" }));
      return;
    }
    if (url === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    const file = STATIC[url];
    if (req.method !== "GET" || file === undefined) {
      res.writeHead(req.method !== "GET" ? 405 : 404, { "content-type": "text/plain" }).end(req.method !== "GET" ? "GET only\n" : "not found\n");
      return;
    }
    fs.readFile(path.join(PAGE_DIR, file[0]), (err, body) => {
      if (err) res.writeHead(500, { "content-type": "text/plain" }).end(`cannot read ${file[0]}\n`);
      else res.writeHead(200, { "content-type": file[1], "cache-control": "no-store", "x-content-type-options": "nosniff" }).end(body);
    });
  });

  const wss = new WebSocketServer({
    server, path: "/ws", maxPayload: MAX_MESSAGE,
    verifyClient: (info: { req: http.IncomingMessage; origin: string }) => {
      const port = (server.address() as AddressInfo).port;
      return loopbackHost(info.req.headers.host, port) && (info.origin === undefined || info.origin === `http://127.0.0.1:${port}` || info.origin === `http://localhost:${port}`);
    },
  });
  wss.on("connection", (ws) => {
    ws.on("error", () => undefined); // a page gone mid-frame: its socket closes, nothing else happens
    if (clients.size >= maxClients) {
      ws.close(1013, `too many dashboards open (at most ${maxClients}): close one and reload`);
      return;
    }
    clients.add(ws);
    pages.set(ws, { tokens: RATE_BURST, refilledAt: Date.now(), noticeAt: 0, unreadSince: NaN, running: false });
    ws.on("close", () => {
      clients.delete(ws);
      pages.delete(ws);
    });
    ws.on("message", (data, isBinary) => onMessage(ws, data, isBinary));
    send(ws, { type: "hello", board: demo.config.boardName, pins: sim.pin, maxMessage: MAX_MESSAGE });
    send(ws, state());
    send(ws, { type: "log", entries: demo.log.entries().slice(-LOG_BACKLOG).map(entry) });
    if (consoleText !== "") send(ws, { type: "console", text: consoleText });
    send(ws, { type: "trace", events, meta: conv.metadata() });
  });
  wss.on("error", () => undefined);

  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      clearInterval(timer);
      reject(new Error(e.code === "EADDRINUSE" ? `port ${o.port} on 127.0.0.1 is in use (try another, or 0 for any free port)` : e.message));
    });
    server.listen(o.port, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}/`, port,
        close: () => new Promise<void>((done) => {
          if (closed) return done();
          closed = true;
          clearInterval(timer);
          for (const ws of clients) ws.close(1001, "the demo is stopping");
          wss.close();
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
