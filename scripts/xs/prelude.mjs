// Evaluated first in every XS bundle (run-tests.mjs, run-entry.mjs).
// xsnap only has print(); give programs a console that writes through it (all levels go to stdout).
const g = globalThis;

function format(value, seen = new Set()) {
  if (typeof value === 'string') return value;
  if (value instanceof Error) {
    const frames = typeof value.stack === 'string' ? value.stack.split('\n').filter((l) => /^\s*at /.test(l)) : [];
    return [`${value.name}: ${value.message}`, ...frames.map((l) => `    ${l.trim()}`)].join('\n');
  }
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'bigint' ? `${value}n` : String(value);
  }
  try {
    return JSON.stringify(value, (_key, v) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
        if (v instanceof Map) return { Map: [...v] };
        if (v instanceof Set) return { Set: [...v] };
      }
      return v === undefined ? 'undefined' : v;
    });
  } catch {
    return String(value);
  }
}

if (typeof g.console === 'undefined' && typeof g.print === 'function') {
  const print = g.print;
  const log = (...args) => print(args.map((a) => format(a)).join(' '));
  g.console = { log, info: log, debug: log, warn: log, error: log, trace: log };
}
