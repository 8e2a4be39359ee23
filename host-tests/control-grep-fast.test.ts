// log grep's fast paths (issue 24: 34 ms per record on a Pico): a pattern that is only text is decided by one
// native indexOf/startsWith/endsWith, a pattern with plain text at its top level skips lines without it and
// jumps to the text it starts with, and log records are decoded natively on XS. Each answers what RegExp does.
import { assert } from "./lib/assert";
import { LinearRegExp } from "../firmware/control/linear-regexp";
import { RingLog } from "../firmware/control/ringlog";
import { scanLog } from "../firmware/control/commands/log";
import { vrun } from "./helpers";

const LINES = [
  "", "modem", "12.345 [INFO] [modem] AT+CSQ -> +CSQ: 23,0 | OK", "0.117 [WARN] [env] no EEPROM at 0x50",
  "3.599 [INFO] [led] LED slow blink -> on (IR key 0x45)", "LED off -> on", "x modem y modem", "mod", "odem",
  "a.b", "axb", "[WARN]", "°C 45.0 %RH", "line\nbreak LED", "LED LED (on",
];

describe("log grep: fast paths answer what RegExp answers", () => {
  it("text-only patterns, anchored or not, with escapes", () => {
    const patterns = ["modem", "^modem", "modem$", "^modem$", "", "^", "$", "^$", "a\\.b", "\\[WARN\\]", "°C", "LED", "^LED", "on$", "\\x41", "OK", "0x45\\)"];
    for (const p of patterns) {
      const re = new LinearRegExp(p);
      for (const l of LINES) assert.equal(re.test(l), new RegExp(p).test(l), `${JSON.stringify(p)} on ${JSON.stringify(l)}`);
    }
  });

  it("patterns with a required text, a leading text, or neither", () => {
    const patterns = [
      "LED (on|off) -> ", "LED .* -> on", "mod(em)?", "m.dem", "modem.*OK$", "^\\d+\\.\\d+ \\[INFO\\]", "[A-Z]+ LED", "(LED|modem) ",
      "a.b", "o?dem", "LED \\(on", "x+ modem", "modem\\b", "\\bLED\\b.*0x4[57]", "ab|cd", "LED LED \\(on", "0x4[0-9]\\)$",
    ];
    for (const p of patterns) {
      const re = new LinearRegExp(p);
      for (const l of LINES) assert.equal(re.test(l), new RegExp(p).test(l), `${JSON.stringify(p)} on ${JSON.stringify(l)}`);
      // a piece at a time (as log grep runs it) answers the same
      for (const l of LINES) {
        re.begin(l);
        let r = re.run(4);
        while (r === null) r = re.run(4);
        assert.equal(r, new RegExp(p).test(l), `${JSON.stringify(p)} on ${JSON.stringify(l)}, 4 characters a step`);
      }
    }
  });

  it("random patterns over a small alphabet agree with RegExp on random lines", () => {
    // a seeded generator, so that a failure names a reproducible case
    let seed = 24;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const atoms = ["a", "b", "c", ".", "[ab]", "\\.", "(a|b)", "(?:ab)", "^", "$", "\\b"];
    const quant = ["", "", "", "*", "+", "?", "{1,2}"];
    for (let n = 0; n < 1500; n++) {
      let p = "";
      const len = 1 + rnd(5);
      for (let k = 0; k < len; k++) {
        const a = atoms[rnd(atoms.length)]!;
        p += a;
        if (a !== "^" && a !== "$" && a !== "\\b") p += quant[rnd(quant.length)]!;
      }
      if (rnd(4) === 0) p += "|" + "abc".charAt(rnd(3));
      const re = new LinearRegExp(p);
      for (let m = 0; m < 8; m++) {
        let s = "";
        const sl = rnd(9);
        for (let k = 0; k < sl; k++) s += "abc. \n".charAt(rnd(6));
        assert.equal(re.test(s), new RegExp(p).test(s), `${JSON.stringify(p)} on ${JSON.stringify(s)}`);
      }
    }
  });
});

describe("log records read back whole", () => {
  it("non-ASCII text, NUL characters and records that wrap around the end of the ring", () => {
    const log = new RingLog(200, { clock: () => 1234.5 });
    const msgs = ["plain ASCII", "21.50 °C, 45.0 %RH", "a\0b", "emoji \u{1F600} and é", "x".repeat(60), "lone \ud800 surrogate"];
    // several passes round the ring, so that records start and wrap at every kind of offset
    for (let pass = 0; pass < 7; pass++) {
      for (const m of msgs) {
        log.info(m, pass % 2 === 0 ? "tag" : "t\0g");
        const e = log.read(log.end - 1)!;
        assert.equal(e.msg, m.replace("\ud800", "\ufffd"));
        assert.equal(e.tag, pass % 2 === 0 ? "tag" : "t\0g");
        assert.equal(e.level, "info");
        assert.equal(e.time, 1234.5);
      }
    }
    log.warn("last", "w");
    assert.equal(log.format(log.read(log.end - 1)!), "1.234 [WARN] [w] last");
  });

  it("log grep on a full 8 KB ring finds the same lines as filtering with RegExp", async () => {
    await vrun(function* () {
      let t = 1000;
      const log = new RingLog(8192, { clock: () => (t += 137) });
      for (let i = 0; i < 400; i++) {
        if (i % 3 === 0) log.info(`AT+CSQ -> +CSQ: ${i % 31},0 | OK`, "modem");
        else if (i % 3 === 1) log.info(`LED ${i % 2 === 0 ? "on" : "off"} -> slow blink (IR key 0x47)`, "led");
        else log.warn(`21.${i % 10}0 °C: sample #${i}`, "env");
      }
      assert.ok(log.dropped > 0, "the ring is full");
      for (const p of ["modem", "°C", "LED (on|off) -> ", "#1[0-9]+$", "^\\d+\\.\\d{3} \\[WARN\\]", "zzz"]) {
        const want = log.cat().filter((l) => new RegExp(p).test(l));
        const got = yield* scanLog(log, new LinearRegExp(p), Infinity, { clock: () => 0 });
        assert.deepEqual(got, want, p);
      }
    });
  });
});
