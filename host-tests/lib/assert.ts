// Portable assertions with node:assert/strict semantics (the subset we use).
// No Node imports: the same tests run under mocha on Node and on the XS engine.

type Message = string | Error | undefined;
/** What a thrown error / rejection reason must satisfy. */
export type Expected =
  | (new (...args: any[]) => unknown) // class: `instanceof`
  | RegExp // tested against String(error) and error.message
  | ((error: any) => boolean) // validation function: must return true
  | Record<string, unknown>; // every listed property must deep-equal (RegExp values are tested)

export class AssertionError extends Error {
  override name = 'AssertionError';
  readonly code = 'ERR_ASSERTION';
  actual: unknown;
  expected: unknown;
  operator: string;
  generatedMessage: boolean;

  constructor(opts: { message?: string | undefined; actual?: unknown; expected?: unknown; operator: string }) {
    super(opts.message ?? 'Failed');
    this.actual = opts.actual;
    this.expected = opts.expected;
    this.operator = opts.operator;
    this.generatedMessage = opts.message === undefined;
  }
}

function raise(message: Message, generated: string, operator: string, actual?: unknown, expected?: unknown): never {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message: message ?? generated, actual, expected, operator });
}

// ---------------------------------------------------------------------------
// Rendering (short, JSON-ish, cycle-safe)

const MAX_ITEMS = 20;
const MAX_DEPTH = 3;
const MAX_LENGTH = 800;

// On the device (and on the XS device model of the tests) functions have no `name`, so the names
// of built-in classes come from this table of their prototypes.
const BUILTIN_CLASSES = [
  'Object', 'Array', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'RegExp', 'Promise', 'ArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Number', 'String', 'Boolean',
  'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError',
];
let builtinNames: Map<object, string> | undefined;

function builtinName(proto: object): string | undefined {
  if (!builtinNames) {
    builtinNames = new Map();
    for (const name of BUILTIN_CLASSES) {
      const ctor = (globalThis as Record<string, unknown>)[name] as { prototype?: object } | undefined;
      if (ctor?.prototype) builtinNames.set(ctor.prototype, name);
    }
  }
  return builtinNames.get(proto);
}

function ctorName(o: object): string {
  const proto = Object.getPrototypeOf(o);
  if (proto === null) return '[Object: null prototype]';
  const name = builtinName(proto) ?? proto.constructor?.name;
  return typeof name === 'string' ? name : '';
}

/** A class's name for messages: its `name`, else (nameless on the device) a built-in's or its prototype's `name`. */
function className(f: object): string {
  const { name: own, prototype: proto } = f as { name?: unknown; prototype?: unknown };
  if (typeof own === 'string' && own) return own;
  if (typeof proto !== 'object' || proto === null) return '';
  const name = builtinName(proto) ?? (proto as { name?: unknown }).name;
  return typeof name === 'string' ? name : '';
}

function renderKey(key: string | symbol): string {
  if (typeof key === 'symbol') return `[${key.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

function list(items: Iterable<unknown>, size: number, each: (item: any) => string): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (out.length === MAX_ITEMS) {
      out.push(`... ${size - MAX_ITEMS} more items`);
      break;
    }
    out.push(each(item));
  }
  return out;
}

function render(v: unknown, depth: number, seen: object[]): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'symbol':
      return v.toString();
    case 'function':
      return `[Function: ${v.name || '(anonymous)'}]`;
    case 'undefined':
    case 'boolean':
      return String(v);
  }
  if (v === null) return 'null';
  const o = v as object;
  if (seen.includes(o)) return '[Circular]';
  if (o instanceof Error) return `[${o.name}: ${o.message}]`;
  if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
  if (o instanceof RegExp) return String(o);
  const name = ctorName(o);
  if (depth > MAX_DEPTH) return Array.isArray(o) ? '[Array]' : `[${name || 'Object'}]`;
  const wrap = (prefix: string, open: string, items: string[], close: string) =>
    `${prefix}${open}${items.length ? ` ${items.join(', ')} ` : ''}${close}`;
  const r = (x: unknown) => render(x, depth + 1, seen);
  seen.push(o);
  try {
    if (Array.isArray(o)) return wrap('', '[', list(o, o.length, r), ']');
    if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
      const ta = o as unknown as ArrayLike<unknown> & Iterable<unknown>;
      return wrap(`${name || 'TypedArray'}(${ta.length}) `, '[', list(ta, ta.length, r), ']');
    }
    if (o instanceof ArrayBuffer) return `ArrayBuffer { byteLength: ${o.byteLength} }`;
    if (o instanceof Map) return wrap(`${name || 'Map'}(${o.size}) `, '{', list(o, o.size, ([k, x]) => `${r(k)} => ${r(x)}`), '}');
    if (o instanceof Set) return wrap(`${name || 'Set'}(${o.size}) `, '{', list(o, o.size, r), '}');
    const keys = ownEnumerableKeys(o);
    const items = list(keys, keys.length, (k) => `${renderKey(k)}: ${r((o as any)[k])}`);
    return wrap(name === 'Object' || name === '' ? '' : `${name} `, '{', items, '}');
  } finally {
    seen.pop();
  }
}

/** Short human-readable rendering of any value (used in assertion messages). */
export function inspect(value: unknown): string {
  let s: string;
  try {
    s = render(value, 0, []);
  } catch (e) {
    s = `[uninspectable: ${String(e)}]`;
  }
  return s.length > MAX_LENGTH ? `${s.slice(0, MAX_LENGTH)}...` : s;
}

// ---------------------------------------------------------------------------
// Strict deep equality. Returns null when equal, else a description of the first difference.

function ownEnumerableKeys(o: object): (string | symbol)[] {
  return Reflect.ownKeys(o).filter((k) => Object.prototype.propertyIsEnumerable.call(o, k));
}

function pathKey(path: string, key: string | symbol, isArray: boolean): string {
  if (isArray && typeof key === 'string' && /^\d+$/.test(key)) return `${path}[${key}]`;
  return typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${typeof key === 'symbol' ? key.toString() : JSON.stringify(key)}]`;
}

type Memo = Map<object, Set<object>>;

function difference(a: unknown, b: unknown, path: string, memo: Memo): string | null {
  if (Object.is(a, b)) return null;
  const at = path || '(root)';
  const notEqual = () => `at ${at}: ${inspect(a)} !== ${inspect(b)}`;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return notEqual();
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
    return `at ${at}: different prototypes (${ctorName(a) || 'anonymous'} vs ${ctorName(b) || 'anonymous'})`;
  }
  const tag = Object.prototype.toString;
  if (tag.call(a) !== tag.call(b)) return notEqual();
  // Cycle guard: a pair already being compared further up is assumed equal.
  let inProgress = memo.get(a);
  if (inProgress?.has(b)) return null;
  if (!inProgress) memo.set(a, (inProgress = new Set()));
  inProgress.add(b);
  try {
    return objectDifference(a, b, path, at, memo, notEqual);
  } finally {
    inProgress.delete(b);
  }
}

function objectDifference(a: any, b: any, path: string, at: string, memo: Memo, notEqual: () => string): string | null {
  if (a instanceof Date && a.getTime() !== b.getTime()) return notEqual();
  if (a instanceof RegExp && (String(a) !== String(b) || a.lastIndex !== b.lastIndex)) return notEqual();
  if (a instanceof Error) {
    if (a.name !== b.name) return `at ${path}.name: ${inspect(a.name)} !== ${inspect(b.name)}`;
    if (a.message !== b.message) return `at ${path}.message: ${inspect(a.message)} !== ${inspect(b.message)}`;
  }
  if (a instanceof Number || a instanceof String || a instanceof Boolean) {
    if (!Object.is(a.valueOf(), b.valueOf())) return notEqual();
  }
  if (a instanceof ArrayBuffer) return difference(new Uint8Array(a), new Uint8Array(b), path, memo) && notEqual();
  if (a instanceof DataView) {
    const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return difference(ua, ub, path, memo) && notEqual();
  }
  if (ArrayBuffer.isView(a)) {
    const [ta, tb] = [a as unknown as ArrayLike<unknown>, b as ArrayLike<unknown>];
    if (ta.length !== tb.length) return `at ${path}.length: ${ta.length} !== ${tb.length}`;
    for (let i = 0; i < ta.length; i++) {
      if (!Object.is(ta[i], tb[i])) return `at ${path}[${i}]: ${inspect(ta[i])} !== ${inspect(tb[i])}`;
    }
    return null;
  }
  if (Array.isArray(a) && a.length !== b.length) return `at ${path}.length: ${a.length} !== ${b.length}`;
  if (a instanceof Map) {
    if (a.size !== b.size) return `at ${path}.size: ${a.size} !== ${b.size}`;
    const used = new Set<unknown>();
    outer: for (const [k, v] of a) {
      if (b.has(k)) {
        const d = difference(v, b.get(k), `${path}.get(${inspect(k)})`, memo);
        if (d) return d;
        continue;
      }
      if (typeof k === 'object' && k !== null) {
        for (const [bk, bv] of b) {
          if (typeof bk !== 'object' || bk === null || used.has(bk) || a.has(bk)) continue;
          if (!difference(k, bk, '', memo) && !difference(v, bv, '', memo)) {
            used.add(bk);
            continue outer;
          }
        }
      }
      return `at ${at}: key ${inspect(k)} of actual Map has no equal entry in expected`;
    }
  }
  if (a instanceof Set) {
    if (a.size !== b.size) return `at ${path}.size: ${a.size} !== ${b.size}`;
    const used = new Set<unknown>();
    outer: for (const v of a) {
      if (b.has(v)) continue;
      if (typeof v === 'object' && v !== null) {
        for (const bv of b) {
          if (typeof bv !== 'object' || bv === null || used.has(bv) || a.has(bv)) continue;
          if (!difference(v, bv, '', memo)) {
            used.add(bv);
            continue outer;
          }
        }
      }
      return `at ${at}: value ${inspect(v)} of actual Set is missing in expected`;
    }
  }
  const keysA = ownEnumerableKeys(a);
  const keysB = ownEnumerableKeys(b);
  for (const k of keysA) {
    if (!Object.prototype.propertyIsEnumerable.call(b, k)) return `at ${pathKey(path, k, Array.isArray(a))}: missing in expected`;
  }
  for (const k of keysB) {
    if (!Object.prototype.propertyIsEnumerable.call(a, k)) return `at ${pathKey(path, k, Array.isArray(a))}: missing in actual`;
  }
  for (const k of keysA) {
    const d = difference(a[k], b[k], pathKey(path, k, Array.isArray(a)), memo);
    if (d) return d;
  }
  return null;
}

/** True when `actual` and `expected` are strictly deep-equal (node:assert/strict rules). */
export function isDeepEqual(actual: unknown, expected: unknown): boolean {
  return difference(actual, expected, '', new Map()) === null;
}

// ---------------------------------------------------------------------------
// Assertions

export function ok(value: unknown, message?: Message): asserts value {
  if (!value) raise(message, `Expected a truthy value, got ${inspect(value)}`, '==', value, true);
}

export function equal<T>(actual: unknown, expected: T, message?: Message): asserts actual is T {
  if (!Object.is(actual, expected)) {
    raise(message, `Expected values to be strictly equal:\n  actual:   ${inspect(actual)}\n  expected: ${inspect(expected)}`,
      'strictEqual', actual, expected);
  }
}

export function notEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (Object.is(actual, expected)) {
    raise(message, `Expected "actual" to be strictly unequal to: ${inspect(expected)}`, 'notStrictEqual', actual, expected);
  }
}

export function deepEqual<T>(actual: unknown, expected: T, message?: Message): asserts actual is T {
  const d = difference(actual, expected, '', new Map());
  if (d !== null) {
    raise(message,
      `Expected values to be strictly deep-equal:\n  actual:   ${inspect(actual)}\n  expected: ${inspect(expected)}\n  first difference ${d}`,
      'deepStrictEqual', actual, expected);
  }
}

export function notDeepEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (isDeepEqual(actual, expected)) {
    raise(message, `Expected "actual" not to be strictly deep-equal to: ${inspect(expected)}`,
      'notDeepStrictEqual', actual, expected);
  }
}

export function match(string: string, regexp: RegExp, message?: Message): void {
  if (typeof string !== 'string') {
    raise(message, `The "string" argument must be of type string, got ${inspect(string)}`, 'match', string, regexp);
  }
  if (string.search(regexp) === -1) {
    raise(message, `The input did not match the regular expression ${String(regexp)}. Input: ${inspect(string)}`,
      'match', string, regexp);
  }
}

export function fail(message: Message = 'Failed'): never {
  raise(message, 'Failed', 'fail');
}

function checkError(error: unknown, expected: Expected, operator: string, message: Message): void {
  if (expected instanceof RegExp) {
    const msg = (error as { message?: unknown } | null)?.message;
    if (String(error).search(expected) !== -1 || (typeof msg === 'string' && msg.search(expected) !== -1)) return;
    raise(message, `The error did not match the regular expression ${String(expected)}: ${inspect(error)}`,
      operator, error, expected);
  }
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && error instanceof expected) return;
    if (expected === Error || Object.prototype.isPrototypeOf.call(Error, expected)) {
      raise(message, `The error is expected to be an instance of "${className(expected)}". Received ${inspect(error)}`,
        operator, error, expected);
    }
    const result = (expected as (e: unknown) => unknown).call({}, error);
    if (result !== true) {
      raise(message, `The ${expected.name || 'validation'} function is expected to return "true". ` +
        `Received ${inspect(result)} for error ${inspect(error)}`, operator, error, expected);
    }
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    for (const key of Object.keys(expected)) {
      const want = expected[key];
      const got = (error as Record<string, unknown> | null)?.[key];
      const same = want instanceof RegExp && typeof got === 'string' ? got.search(want) !== -1 : isDeepEqual(got, want);
      if (!same) {
        raise(message, `The error's "${key}" property did not match: actual ${inspect(got)}, expected ${inspect(want)}`,
          operator, error, expected);
      }
    }
    return;
  }
  throw new TypeError(`Invalid "expected" argument: ${inspect(expected)}`);
}

export function throws(fn: () => unknown, expected?: Expected | string, message?: Message): void {
  if (typeof fn !== 'function') throw new TypeError(`The "fn" argument must be a function, got ${inspect(fn)}`);
  if (typeof expected === 'string') [message, expected] = [expected, undefined];
  let threw = false;
  let error: unknown;
  try {
    fn();
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw) raise(message, 'Missing expected exception.', 'throws', undefined, expected);
  if (expected !== undefined) checkError(error, expected, 'throws', message);
}

export async function rejects(
  promiseOrFn: Promise<unknown> | (() => Promise<unknown>),
  expected?: Expected | string,
  message?: Message,
): Promise<void> {
  if (typeof expected === 'string') [message, expected] = [expected, undefined];
  const promise = typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn;
  if (typeof (promise as PromiseLike<unknown> | null)?.then !== 'function') {
    throw new TypeError(`rejects() expects a promise or a function returning a promise, got ${inspect(promise)}`);
  }
  let rejected = false;
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    rejected = true;
    error = e;
  }
  if (!rejected) raise(message, 'Missing expected rejection.', 'rejects', undefined, expected);
  if (expected !== undefined) checkError(error, expected, 'rejects', message);
}

export {
  equal as strictEqual,
  notEqual as notStrictEqual,
  deepEqual as deepStrictEqual,
  notDeepEqual as notDeepStrictEqual,
};

export interface Assert {
  (value: unknown, message?: Message): asserts value;
  ok: typeof ok;
  equal: typeof equal;
  notEqual: typeof notEqual;
  deepEqual: typeof deepEqual;
  notDeepEqual: typeof notDeepEqual;
  strictEqual: typeof equal;
  notStrictEqual: typeof notEqual;
  deepStrictEqual: typeof deepEqual;
  notDeepStrictEqual: typeof notDeepEqual;
  throws: typeof throws;
  rejects: typeof rejects;
  match: typeof match;
  fail: typeof fail;
  AssertionError: typeof AssertionError;
}

/** `assert(value)` is `assert.ok(value)`, like node:assert/strict. */
export const assert: Assert = Object.assign((value: unknown, message?: Message): asserts value => ok(value, message), {
  ok,
  equal,
  notEqual,
  deepEqual,
  notDeepEqual,
  strictEqual: equal,
  notStrictEqual: notEqual,
  deepStrictEqual: deepEqual,
  notDeepStrictEqual: notDeepEqual,
  throws,
  rejects,
  match,
  fail,
  AssertionError,
});

export default assert;
