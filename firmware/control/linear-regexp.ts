// A regular-expression matcher that runs in linear time (Thompson's NFA simulation, as in RE2 and Go's
// regexp): `log grep` matches console input with it, because a backtracking RegExp such as
// `(.*.*)*X` on a log line takes exponential time, and a cooperative scheduler cannot preempt it.
import { nameErrorClass } from "../sched/kernel";

/** The pattern uses something this matcher does not do, or is too large. */
export class PatternError extends SyntaxError {}
nameErrorClass(PatternError, "PatternError"); // on its prototype: an own `name` write would throw on a device

const CHAR = 0; // a: code unit
const ANY = 1; // any code unit but line terminators
const CLASS = 2; // a: index into classes
const SPLIT = 3; // a, b: next pcs
const JMP = 4; // a: next pc
const ASSERT = 5; // a: BOL, EOL, WORDB, NWORDB
const MATCH = 6;

const BOL = 0;
const EOL = 1;
const WORDB = 2;
const NWORDB = 3;

/** A character class: sorted [lo, hi] pairs, negated or not. */
interface CharClass {
  readonly ranges: number[];
  readonly negate: boolean;
}

type Node =
  | { t: "char"; c: number }
  | { t: "any" }
  | { t: "class"; k: CharClass }
  | { t: "assert"; a: number }
  | { t: "cat"; items: Node[] }
  | { t: "alt"; items: Node[] }
  | { t: "rep"; n: Node; min: number; max: number };

const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE = [9, 13, 32, 32, 160, 160, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff];

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95 || (c >= 97 && c <= 122);
}

function inRanges(r: readonly number[], c: number): boolean {
  for (let i = 0; i < r.length; i += 2) if (c >= r[i]! && c <= r[i + 1]!) return true;
  return false;
}

/** Most instructions a pattern may compile to (bounds the work per character). */
export const MAX_PROGRAM = 400;
/** Deepest group nesting: the parser recurses per group, and a device task has about 1000 stack slots. */
const MAX_DEPTH = 8;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i < this.s.length) this.fail(`unmatched ")" at ${this.i}`);
    return n;
  }

  private fail(msg: string): never {
    throw new PatternError(msg);
  }

  private peek(): string {
    return this.s.charAt(this.i);
  }

  private alt(): Node {
    const first = this.cat();
    if (this.peek() !== "|") return first;
    // a flat list, so that compiling many alternatives does not recurse once per alternative
    const items = [first];
    while (this.peek() === "|") {
      this.i++;
      items.push(this.cat());
    }
    return { t: "alt", items };
  }

  private cat(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.peek() !== "|" && this.peek() !== ")") items.push(this.repeat());
    return { t: "cat", items };
  }

  private repeat(): Node {
    let n = this.atom();
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === "*") [min, max] = [0, Infinity];
      else if (c === "+") [min, max] = [1, Infinity];
      else if (c === "?") [min, max] = [0, 1];
      else if (c === "{" && /^\{\d+(,\d*)?\}/.test(this.s.slice(this.i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
        if (max < min) this.fail(`bad repeat ${m[0]}: the maximum is below the minimum`);
        if (min > 100 || (max !== Infinity && max > 100)) this.fail(`repeat ${m[0]} is too large (at most 100)`);
        this.i += m[0].length - 1;
      } else return n;
      this.i++;
      if (this.peek() === "?") this.i++; // lazy: the same for a yes/no match
      if (n.t === "assert" || n.t === "rep") this.fail(`nothing to repeat before "${c}"`);
      n = { t: "rep", n, min, max };
    }
  }

  private atom(): Node {
    const c = this.s.charAt(this.i++);
    switch (c) {
      case ".":
        return { t: "any" };
      case "^":
        return { t: "assert", a: BOL };
      case "$":
        return { t: "assert", a: EOL };
      case "[":
        return { t: "class", k: this.charClass() };
      case "\\":
        return this.escape(false) as Node;
      case "(": {
        if (++this.depth > MAX_DEPTH) this.fail(`groups nested deeper than ${MAX_DEPTH}`);
        if (this.peek() === "?") {
          const rest = this.s.slice(this.i, this.i + 3);
          if (rest.startsWith("?:")) this.i += 2;
          else if (/^\?<[A-Za-z_$]/.test(rest)) this.i = this.s.indexOf(">", this.i) + 1 || this.fail("unterminated group name");
          else this.fail("lookahead and lookbehind are not supported");
        }
        const n = this.alt();
        if (this.s.charAt(this.i++) !== ")") this.fail('missing ")"');
        this.depth--;
        return n;
      }
      case ")":
        return this.fail('unmatched ")"');
      case "*":
      case "+":
      case "?":
        return this.fail(`nothing to repeat before "${c}"`);
      default:
        return { t: "char", c: c.charCodeAt(0) };
    }
  }

  /** After a backslash: a node, or (inClass) a class part or a code unit. */
  private escape(inClass: boolean): Node | number[] | number {
    const c = this.s.charAt(this.i++);
    if (c === "") this.fail("\\ at the end of the pattern");
    const cls = (ranges: number[], negate: boolean): Node | number[] => (inClass ? (negate ? this.fail(`\\${c} inside a class is not supported`) : ranges) : { t: "class", k: { ranges, negate } });
    switch (c) {
      case "d": return cls(DIGIT, false);
      case "D": return cls(DIGIT, true);
      case "w": return cls(WORD, false);
      case "W": return cls(WORD, true);
      case "s": return cls(SPACE, false);
      case "S": return cls(SPACE, true);
      case "b": return inClass ? 8 : { t: "assert", a: WORDB };
      case "B": return inClass ? this.fail("\\B inside a class") : { t: "assert", a: NWORDB };
      case "t": return this.lit(9, inClass);
      case "n": return this.lit(10, inClass);
      case "r": return this.lit(13, inClass);
      case "f": return this.lit(12, inClass);
      case "v": return this.lit(11, inClass);
      case "0": return this.lit(0, inClass);
      case "x":
      case "u": {
        const len = c === "x" ? 2 : 4;
        const hex = this.s.slice(this.i, this.i + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) this.fail(`bad \\${c} escape`);
        this.i += len;
        return this.lit(parseInt(hex, 16), inClass);
      }
      default:
        if (c >= "1" && c <= "9") this.fail("backreferences are not supported");
        if (/[A-Za-z]/.test(c)) this.fail(`unknown escape \\${c}`);
        return this.lit(c.charCodeAt(0), inClass);
    }
  }

  private lit(code: number, inClass: boolean): Node | number {
    return inClass ? code : { t: "char", c: code };
  }

  private charClass(): CharClass {
    let negate = false;
    if (this.peek() === "^") {
      negate = true;
      this.i++;
    }
    const ranges: number[] = [];
    let first = true;
    for (;;) {
      if (this.i >= this.s.length) this.fail('missing "]"');
      let c = this.s.charAt(this.i++);
      if (c === "]" && !first) break;
      first = false;
      let lo: number;
      if (c === "\\") {
        const e = this.escape(true) as number[] | number;
        if (typeof e !== "number") {
          ranges.push(...e);
          continue;
        }
        lo = e;
      } else lo = c.charCodeAt(0);
      let hi = lo;
      if (this.peek() === "-" && this.s.charAt(this.i + 1) !== "]" && this.i + 1 < this.s.length) {
        this.i++;
        c = this.s.charAt(this.i++);
        if (c === "\\") {
          const e = this.escape(true);
          if (typeof e !== "number") this.fail("bad class range");
          hi = e;
        } else hi = c.charCodeAt(0);
        if (hi < lo) this.fail("class range out of order");
      }
      ranges.push(lo, hi);
    }
    return { ranges, negate };
  }
}

/**
 * A compiled pattern: `test(s)` tells whether it matches anywhere in `s`, in time proportional to
 * `s.length` × the program size (at most {@link MAX_PROGRAM} instructions), whatever the pattern.
 * The syntax is JavaScript's without backreferences or lookaround: `. [] [^] \d \w \s \b ^ $ | () (?:)
 * * + ? {n,m}` and escapes. Throws {@link PatternError} (a SyntaxError) for anything else.
 * Memory: the program (3 numbers per instruction) and four Int32Arrays of its size, allocated once.
 *
 * Fast paths (the NFA costs some 20 method calls' worth per character on a Pico, where `String.prototype.indexOf`
 * is one native call per line): a pattern that is only text (`modem`, `\[WARN\]`), optionally anchored with `^`
 * or `$`, is decided by `indexOf`/`startsWith`/`endsWith` and runs no NFA at all; any other pattern whose
 * top level has a run of plain characters (`LED (on|off) -> ` has `LED `) skips, with one `indexOf`, every
 * line that lacks it; and a pattern that starts with plain characters jumps, while no match is under way,
 * straight to their next occurrence instead of stepping through the characters in between.
 * @example new LinearRegExp("(.*.*)*X").test("x".repeat(1000))   // false, at once
 */
export class LinearRegExp {
  private readonly op: number[] = [];
  private readonly a: number[] = [];
  private readonly b: number[] = [];
  private readonly classes: CharClass[] = [];
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  /** the thread lists, allocated once (test() runs per log line) */
  private readonly listA: Int32Array;
  private readonly listB: Int32Array;
  private gen = 0;
  /** the match in progress (begin/run) */
  private s = "";
  private i = 0;
  private nc = 0;
  private cur: Int32Array;
  private next: Int32Array;
  /** what begin() decided without the NFA (null: the NFA has to run) */
  private decided: boolean | null = null;
  /** how {@link literal} decides: "" the NFA runs, else indexOf, startsWith, endsWith or equal */
  private readonly literalKind: "" | "in" | "start" | "end" | "whole" = "";
  /** the whole pattern as text, when it is only text (see literalKind) */
  private readonly literal: string = "";
  /** plain text every match contains ("" if none is known): a line without it cannot match */
  private readonly required: string = "";
  /** plain text every match starts with ("" if none): while no thread is under way, jump to its next occurrence */
  private readonly prefix: string = "";

  constructor(readonly source: string) {
    if (typeof source !== "string") throw new PatternError("a pattern is a string");
    const tree = new Parser(source).parse();
    const items = tree.t === "cat" ? tree.items : [tree];
    // the runs of plain characters at the top level, and whether that is all there is (but for ^ and $)
    let run = "";
    let longest = "";
    let plain = true;
    for (let k = 0; k < items.length; k++) {
      const n = items[k]!;
      if (n.t === "char") run += String.fromCharCode(n.c);
      else {
        if (!(n.t === "assert" && ((n.a === BOL && k === 0) || (n.a === EOL && k === items.length - 1)))) plain = false;
        run = "";
      }
      if (run.length > longest.length) longest = run;
      if (run.length === k + 1) this.prefix = run;
    }
    this.required = longest;
    if (plain) {
      const first = items[0];
      const last = items[items.length - 1];
      const bol = first !== undefined && first.t === "assert" && first.a === BOL;
      const eol = last !== undefined && last.t === "assert" && last.a === EOL;
      this.literal = longest;
      this.literalKind = bol && eol ? "whole" : bol ? "start" : eol ? "end" : "in";
    }
    this.emit(tree);
    this.add(MATCH);
    const n = this.op.length;
    this.mark = new Int32Array(n);
    this.stack = new Int32Array(n * 2 + 2);
    this.listA = new Int32Array(n);
    this.listB = new Int32Array(n);
    this.cur = this.listA;
    this.next = this.listB;
  }

  /** Instructions in the compiled program. */
  get size(): number {
    return this.op.length;
  }

  test(s: string): boolean {
    this.begin(s);
    return this.run(Infinity)!;
  }

  /**
   * Start matching `s` a piece at a time: then `run(n)` until it decides. For a slow device, where even
   * one line can take longer than a scheduler step should.
   */
  begin(s: string): void {
    if (this.gen > 0x3fff0000 - s.length) {
      // marks are Int32: start the generations again before they could wrap
      this.mark.fill(0);
      this.gen = 0;
    }
    this.s = s;
    this.i = 0;
    this.cur = this.listA;
    this.next = this.listB;
    this.nc = 0;
    const lit = this.literal;
    switch (this.literalKind) {
      case "in":
        this.decided = s.indexOf(lit) >= 0;
        return;
      case "start":
        this.decided = s.startsWith(lit);
        return;
      case "end":
        this.decided = s.endsWith(lit);
        return;
      case "whole":
        this.decided = s === lit;
        return;
    }
    if (this.required !== "" && s.indexOf(this.required) < 0) {
      this.decided = false;
      return;
    }
    this.decided = null;
    this.gen++;
    this.nc = this.closure(this.cur, 0, 0, s, 0);
  }

  /** Go on with the string given to `begin` for at most `chars` more characters: true or false once decided, null if not yet. */
  run(chars: number): boolean | null {
    if (this.decided !== null) return this.decided;
    const s = this.s;
    const op = this.op;
    const arg = this.a;
    const prefix = this.prefix;
    let cur = this.cur;
    let next = this.next;
    let nc = this.nc;
    let i = this.i;
    const stop = i + chars;
    // (the two lists swap roles per character; which is which at the end does not matter)
    for (; ; i++) {
      for (let k = 0; k < nc; k++) if (op[cur[k]!] === MATCH) return (this.decided = true);
      if (i >= s.length) return (this.decided = false);
      if (i >= stop) break;
      if (prefix !== "" && nc === 1 && cur[0] === 0) {
        // no match under way, and every match starts with `prefix`: go to its next occurrence (one native call)
        const at = s.indexOf(prefix, i);
        if (at < 0) return (this.decided = false);
        i = at;
      }
      const c = s.charCodeAt(i);
      this.gen++;
      let nn = 0;
      for (let k = 0; k < nc; k++) {
        const pc = cur[k]!;
        const o = op[pc]!;
        let ok = false;
        if (o === CHAR) ok = c === arg[pc];
        else if (o === ANY) ok = c !== 10 && c !== 13 && c !== 0x2028 && c !== 0x2029;
        else if (o === CLASS) {
          const cl = this.classes[arg[pc]!]!;
          ok = inRanges(cl.ranges, c) !== cl.negate;
        }
        if (ok) nn = this.closure(next, nn, pc + 1, s, i + 1);
      }
      // a new thread starts at every position (an unanchored search)
      nn = this.closure(next, nn, 0, s, i + 1);
      const t = cur;
      cur = next;
      next = t;
      nc = nn;
    }
    this.cur = cur;
    this.next = next;
    this.nc = nc;
    this.i = i;
    return null;
  }

  /** Add `pc0` and what it reaches without consuming input to `list` (from `len`); returns the new length. */
  private closure(list: Int32Array, len: number, pc0: number, s: string, i: number): number {
    const st = this.stack;
    const mark = this.mark;
    const gen = this.gen;
    const op = this.op;
    const arg = this.a;
    let sp = 0;
    st[sp++] = pc0;
    while (sp > 0) {
      const pc = st[--sp]!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const o = op[pc]!;
      if (o === JMP) st[sp++] = arg[pc]!;
      else if (o === SPLIT) {
        st[sp++] = this.b[pc]!;
        st[sp++] = arg[pc]!;
      } else if (o === ASSERT) {
        if (this.holds(arg[pc]!, s, i)) st[sp++] = pc + 1;
      } else list[len++] = pc;
    }
    return len;
  }

  private holds(kind: number, s: string, i: number): boolean {
    if (kind === BOL) return i === 0;
    if (kind === EOL) return i === s.length;
    const w = (i > 0 && isWord(s.charCodeAt(i - 1))) !== (i < s.length && isWord(s.charCodeAt(i)));
    return kind === WORDB ? w : !w;
  }

  private add(o: number, a = 0, b = 0): number {
    if (this.op.length >= MAX_PROGRAM) throw new PatternError(`pattern too large (more than ${MAX_PROGRAM} steps)`);
    this.op.push(o);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  private emit(n: Node): void {
    switch (n.t) {
      case "char":
        this.add(CHAR, n.c);
        return;
      case "any":
        this.add(ANY);
        return;
      case "class":
        this.classes.push(n.k);
        this.add(CLASS, this.classes.length - 1);
        return;
      case "assert":
        this.add(ASSERT, n.a);
        return;
      case "cat":
        for (const x of n.items) this.emit(x);
        return;
      case "alt": {
        // SPLIT to the first, else the next SPLIT ...; each alternative but the last JMPs to the end
        const jmps: number[] = [];
        for (let k = 0; k < n.items.length; k++) {
          if (k < n.items.length - 1) {
            const split = this.add(SPLIT);
            this.a[split] = split + 1;
            this.emit(n.items[k]!);
            jmps.push(this.add(JMP));
            this.b[split] = this.op.length;
          } else this.emit(n.items[k]!);
        }
        for (const j of jmps) this.a[j] = this.op.length;
        return;
      }
      case "rep": {
        for (let k = 0; k < n.min; k++) this.emit(n.n);
        if (n.max === Infinity) {
          const split = this.add(SPLIT);
          this.a[split] = split + 1;
          this.emit(n.n);
          this.add(JMP, split);
          this.b[split] = this.op.length;
        } else {
          for (let k = n.min; k < n.max; k++) {
            const split = this.add(SPLIT);
            this.a[split] = split + 1;
            this.emit(n.n);
            this.b[split] = this.op.length;
          }
        }
        return;
      }
    }
  }
}
