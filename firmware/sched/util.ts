import type { Gen } from "./task";

/** True for `function*` functions (not for plain functions that return generators). */
export function isGeneratorFunction(fn: unknown): boolean {
  const c = typeof fn === "function" ? (fn as { constructor?: { name?: string } }).constructor : undefined;
  return c !== undefined && c.name === "GeneratorFunction";
}
/** True for `async function`s (not for plain functions that return promises). */
export function isAsyncFunction(fn: unknown): boolean {
  const c = typeof fn === "function" ? (fn as { constructor?: { name?: string } }).constructor : undefined;
  return c !== undefined && c.name === "AsyncFunction";
}
/** A function that must run as a task (a generator or async function), not be called in place. */
export function isTaskFunction(fn: unknown): boolean {
  return isGeneratorFunction(fn) || isAsyncFunction(fn);
}
export function isIterator(v: unknown): v is Gen {
  return v !== null && typeof v === "object" && typeof (v as Gen).next === "function" && typeof (v as Gen).throw === "function";
}
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";
}
export function describe(v: unknown): string {
  return typeof v === "symbol" ? v.toString() : typeof v === "object" ? (v === null ? "null" : "an object") : String(v);
}

