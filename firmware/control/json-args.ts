// What arguments typed on a console may be: plain JSON data. JSON.parse turns an out-of-range number
// such as 1e400 into Infinity, which JSON.stringify then stores as null; and a task whose arguments are
// objects (a ring log, a function) cannot have them replaced by JSON at all.

/** How deep {@link jsonProblem} looks before it calls a value too deeply nested (the Pico's stack is small). */
const MAX_DEPTH = 16;

/**
 * null if `v` is plain JSON data (null, booleans, finite numbers, strings, arrays and plain objects of
 * them, at most 16 levels deep), else a one-line reason naming the first value that is not.
 */
export function jsonProblem(v: unknown, depth = 0): string | null {
  if (v === null || typeof v === "boolean" || typeof v === "string") return null;
  if (typeof v === "number") return Number.isFinite(v) ? null : `numbers must be finite, got ${String(v)} (out of range?)`;
  if (depth >= MAX_DEPTH) return `nested more than ${MAX_DEPTH} levels deep`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = jsonProblem(v[i], depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return "not plain JSON data (an object of a class)";
    for (const k of Object.keys(v)) {
      const p = jsonProblem((v as Record<string, unknown>)[k], depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  return `not JSON data (a ${typeof v})`;
}

/**
 * Parse console text as a JSON array of arguments: throws a one-line SyntaxError/TypeError/RangeError for
 * text that is not JSON, not an array, or holds a non-finite number.
 */
export function parseJsonArgs(text: string): unknown[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new SyntaxError(`arguments are not valid JSON: ${text.length > 60 ? text.slice(0, 60) + "..." : text}`);
  }
  if (!Array.isArray(v)) throw new TypeError("arguments are a JSON array, e.g. [2000]");
  const p = jsonProblem(v);
  if (p !== null) throw new RangeError(`arguments refused: ${p}`);
  return v;
}
