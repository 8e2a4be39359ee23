import type { Gen } from "./task";

// Functions are told apart by prototype. On a Moddable device the preload strips function names and
// replaces the `constructor` of the function prototypes, so `fn.constructor.name` tells nothing there.
const GENERATOR_FUNCTION: unknown = Object.getPrototypeOf(function* () {});
const ASYNC_FUNCTION: unknown = Object.getPrototypeOf(async function () {});

/** True for `function*` functions (not for plain functions that return generators). */
export function isGeneratorFunction(fn: unknown): boolean {
  return typeof fn === "function" && Object.getPrototypeOf(fn) === GENERATOR_FUNCTION;
}
/** True for `async function`s and async arrows (not for plain functions that return promises). */
export function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === "function" && Object.getPrototypeOf(fn) === ASYNC_FUNCTION;
}
/** A function that must run as a task (a generator or async function), not be called in place. */
export function isTaskFunction(fn: unknown): boolean {
  if (typeof fn !== "function") return false;
  const p: unknown = Object.getPrototypeOf(fn);
  return p === GENERATOR_FUNCTION || p === ASYNC_FUNCTION;
}
export function isIterator(v: unknown): v is Gen {
  return v !== null && typeof v === "object" && typeof (v as Gen).next === "function" && typeof (v as Gen).throw === "function";
}
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";
}
export function describe(v: unknown): string {
  // (String() names a symbol too: "Symbol(desc)")
  return typeof v === "object" ? (v === null ? "null" : "an object") : String(v);
}
