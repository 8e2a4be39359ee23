// The JavaScript half of the XS device model (docs/testing.md): evaluated right after prelude.mjs
// and before any other module when the model is on (run-tests.mjs, run-entry.mjs; XS_DEVICE_MODEL=0
// turns it off). The C half (build-xsnap.mjs) makes functions nameless, shrinks the stack and
// orders jobs like the Pico main loop.
//
// On the device (Moddable 8.2.3, Pico) the preloaded built-ins are frozen and the xsl preload
// with "strip" replaced the `constructor` of the Function, GeneratorFunction and AsyncFunction
// prototypes (and Compartment's) with a nameless thrower. Here:
//  1. the same constructors are replaced by %ThrowTypeError% (the thrower xsl uses);
//  2. every standard intrinsic reachable from globalThis is hardened (deep-frozen), including the
//     hidden ones (%GeneratorFunction%, %AsyncFunction%, %AsyncGeneratorFunction%, iterator
//     prototypes, %TypedArray%). globalThis itself stays open (the mocha shim and tests add
//     globals) and so do the host functions of xsnap (setImmediate, print, ...): the mocha shim
//     wraps setImmediate by replacing the global binding, which works either way.
/* global harden */
const g = globalThis;

/** ECMAScript globals plus XS's own intrinsics (TypedArray, trace, Compartment, ModuleSource). */
const INTRINSIC_GLOBALS = [
  'AggregateError', 'Array', 'ArrayBuffer', 'Atomics', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'Boolean',
  'Compartment', 'DataView', 'Date', 'Error', 'EvalError', 'FinalizationRegistry', 'Float32Array', 'Float64Array',
  'Function', 'Int8Array', 'Int16Array', 'Int32Array', 'JSON', 'Map', 'Math', 'ModuleSource', 'Number', 'Object',
  'Promise', 'Proxy', 'RangeError', 'ReferenceError', 'Reflect', 'RegExp', 'Set', 'SharedArrayBuffer', 'String',
  'Symbol', 'SyntaxError', 'TypeError', 'TypedArray', 'URIError', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array',
  'Uint32Array', 'WeakMap', 'WeakRef', 'WeakSet', 'decodeURI', 'decodeURIComponent', 'encodeURI',
  'encodeURIComponent', 'escape', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'trace', 'unescape',
];

if (typeof g.harden !== 'function') throw new Error('device-prelude: this xsnap has no harden()');
const hardenIt = g.harden;

// Hidden intrinsics, captured before their `constructor` links are cut.
const generatorFunctionPrototype = Object.getPrototypeOf(function* () {});
const asyncFunctionPrototype = Object.getPrototypeOf(async function () {});
const asyncGeneratorFunctionPrototype = Object.getPrototypeOf(async function* () {});
const hidden = [
  generatorFunctionPrototype.constructor, // %GeneratorFunction% (its prototype chain: %GeneratorPrototype%, %IteratorPrototype%)
  asyncFunctionPrototype.constructor, // %AsyncFunction%
  asyncGeneratorFunctionPrototype.constructor, // %AsyncGeneratorFunction% (%AsyncGeneratorPrototype%, %AsyncIteratorPrototype%)
  generatorFunctionPrototype,
  asyncFunctionPrototype,
  asyncGeneratorFunctionPrototype,
  Object.getPrototypeOf([][Symbol.iterator]()), // %ArrayIteratorPrototype%
  Object.getPrototypeOf(new Map()[Symbol.iterator]()), // %MapIteratorPrototype%
  Object.getPrototypeOf(new Set()[Symbol.iterator]()), // %SetIteratorPrototype%
  Object.getPrototypeOf(''[Symbol.iterator]()), // %StringIteratorPrototype%
  Object.getPrototypeOf(/x/[Symbol.matchAll]('')), // %RegExpStringIteratorPrototype%
  Object.getPrototypeOf(Int8Array), // %TypedArray%
];

// 1. The nameless thrower in place of the constructors (tools/xsl/xsl.c does the same).
const thrower = Object.getOwnPropertyDescriptor(Function.prototype, 'caller')?.get ?? [function () {
  throw new TypeError('no constructor on the device');
}][0];
for (const prototype of [
  Function.prototype,
  generatorFunctionPrototype,
  asyncFunctionPrototype,
  typeof g.Compartment === 'function' ? g.Compartment.prototype : undefined,
]) {
  if (prototype && Object.prototype.hasOwnProperty.call(prototype, 'constructor')) {
    Object.defineProperty(prototype, 'constructor', { value: thrower });
  }
}

// 2. Freeze the built-ins.
for (const name of INTRINSIC_GLOBALS) {
  const value = g[name];
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') hardenIt(value);
}
for (const value of hidden) hardenIt(value);
