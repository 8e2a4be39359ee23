/** Small time formatting helpers shared by the status listings and the log (pure functions). */

const pad = (n: number, w = 2): string => {
  let s = String(n);
  while (s.length < w) s = "0" + s;
  return s;
};

/** "YYYY-MM-DD HH:MM:SS" of an epoch time in ms (UTC fields: give local time by offsetting the clock). */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A duration the way systemd prints ages: "450 ms", "4 s", "00:01:22", "2 d 03:00:00". */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const d = Math.floor(s / 86400);
  const hms = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return d > 0 ? `${d} d ${hms}` : hms;
}

/**
 * A point in time for listings: a date when `wallAtNow` (the wall-clock ms matching `now`) is known,
 * else the scheduler time in seconds ("t+12.500s").
 */
export function formatStamp(t: number, now: number, wallAtNow?: number): string {
  if (wallAtNow !== undefined) return formatDate(wallAtNow - (now - t));
  return `t+${(t / 1000).toFixed(3)}s`;
}

/** One-line rendering of a value for listings (JSON when possible, bounded to `max` chars). */
export function show(v: unknown, max = 120): string {
  let s: string;
  if (v instanceof Error) s = `${v.name}: ${v.message}`;
  else if (typeof v === "string") s = JSON.stringify(v);
  else if (typeof v === "function") s = "[function]";
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}

function isPlain(v: object): boolean {
  if (Array.isArray(v)) return true;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === null || p === Object.prototype;
}

/** JSON for data (arrays, plain objects); other objects (a log, a port) as "[object]", never their insides. */
function argReplacer(_k: string, v: unknown): unknown {
  if (typeof v === "function") return "[function]";
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (v !== null && typeof v === "object" && !isPlain(v)) return "[object]";
  return v;
}

/** One argument: JSON for data; an object that is not plain data (class instance) as `[object]`. */
function showArg(v: unknown, max: number): string {
  if (v instanceof Error || typeof v === "string" || typeof v === "function") return show(v, max);
  if (v !== null && typeof v === "object" && !isPlain(v)) return "[object]";
  let s: string;
  try {
    s = JSON.stringify(v, argReplacer) ?? String(v);
  } catch {
    s = Array.isArray(v) ? "[array]" : "[object]";
  }
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}

/** A task's arguments for a listing: each shown on its own (`[5000,"AT+CSQ"]`, `[[object],[function]]`). */
export function showArgs(args: readonly unknown[], max = 120): string {
  const s = `[${args.map((a) => showArg(a, 60)).join(",")}]`;
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}

/** The error's name and message, then its stack frames (as many lines as the engine gives). */
export function traceback(e: unknown): string[] {
  if (!(e instanceof Error)) return [`thrown: ${show(e)}`];
  const head = `${e.name}: ${e.message}`;
  const stack = typeof e.stack === "string" ? e.stack.split("\n").filter((l) => l.trim() !== "" && l.indexOf(head) < 0) : [];
  return [head, ...stack.map((l) => "  " + l.trim())];
}
