// The XS device model (scripts/xs, docs/testing.md) catches bugs that only show on the device.
// Each fixture is a small program with one such bug class. Run on xsnap with the model it fails the
// way the Pico does; run on plain xsnap it passes, which is why `npm run test:xs` uses the model.
import path from "node:path";
import { assert } from "./lib/assert";
import { ensureXsnap, ROOT } from "../scripts/xs/build-xsnap.mjs";
import { runXsSource, type XsRun } from "../scripts/xs/bundle.mjs";

const OUT = path.join(ROOT, "build/xs-device-model");

describe("XS device model (xsnap, as on the Pico)", function () {
  let xsnap = "";

  before(function () {
    this.timeout(600_000); // the first use builds xsnap
    xsnap = ensureXsnap({ log: () => {} });
  });

  function run(name: string, source: string, opts: { model: boolean; rawStackSlots?: number }): Promise<XsRun> {
    return runXsSource({ xsnap, source, outfile: path.join(OUT, `${name}.mjs`), ...opts });
  }

  describe("frozen built-ins", () => {
    const subclass = `
      class BadInput extends Error {
        constructor(message) {
          super(message);
          this.name = "BadInput"; // the override mistake: Error.prototype.name is frozen on the device
        }
      }
      try { throw new BadInput("x"); } catch (e) { print(e.name + ": " + e.message); }
    `;
    const fixed = `
      class BadInput extends Error {}
      Object.defineProperty(BadInput.prototype, "name", { value: "BadInput" });
      try { throw new BadInput("x"); } catch (e) { print(e.name + ": " + e.message); }
    `;

    it("an Error subclass that assigns this.name throws TypeError under the model and works on plain xsnap", async () => {
      const device = await run("error-name-model", subclass, { model: true });
      assert.equal(device.output, "TypeError: set name: not writable\n");
      const plain = await run("error-name-plain", subclass, { model: false });
      assert.equal(plain.output, "BadInput: x\n");
    });

    it("defining name on the subclass prototype works under the model", async () => {
      const device = await run("error-name-fixed", fixed, { model: true });
      assert.equal(device.output, "BadInput: x\n");
    });
  });

  describe("nameless functions and cut constructors", () => {
    const detect = `
      function* task() {}
      let byName;
      try { byName = task.constructor.name === "GeneratorFunction"; } catch (e) { byName = "throws " + e.name; }
      const byPrototype = Object.getPrototypeOf(task) === Object.getPrototypeOf(function* () {});
      print(JSON.stringify({ name: task.name ?? null, byName, byPrototype }));
      try { task.constructor("yield 1"); print("constructed"); } catch (e) { print("constructor: " + e.name); }
    `;

    it("fn.constructor.name === 'GeneratorFunction' fails under the model; fn.name is gone; the prototype test works", async () => {
      const device = await run("generator-model", detect, { model: true });
      assert.equal(device.output, '{"name":null,"byName":false,"byPrototype":true}\nconstructor: TypeError\n');
      const plain = await run("generator-plain", detect, { model: false });
      assert.equal(plain.output, '{"name":"task","byName":true,"byPrototype":true}\nconstructed\n');
    });

    it("no function has a name: declarations, classes, methods, arrows, bound and built-in functions", async () => {
      const source = `
        class C { m() {} static s() {} get g() { return 1; } }
        const arrow = () => {};
        const o = { meth() {} };
        function f() {}
        const names = [f, C, C.prototype.m, C.s, Object.getOwnPropertyDescriptor(C.prototype, "g").get, arrow,
          o.meth, f.bind(null), Array, Array.prototype.map].map((fn) => fn.name ?? null);
        print(JSON.stringify(names));
      `;
      const device = await run("names-model", source, { model: true });
      assert.equal(device.output, `${JSON.stringify(Array(10).fill(null))}\n`);
      const plain = await run("names-plain", source, { model: false });
      assert.equal(plain.output, '["f","C","m","s","get g","arrow","meth","bound f","Array","map"]\n');
    });
  });

  describe("a 512-slot stack", () => {
    // Run from a host callback, as device code runs from a timer or IO callback.
    const recursion = `
      function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1); }
      setImmediate(() => print("depth " + depth(200)));
    `;
    const yieldStar = `
      function* level(n) { return n === 0 ? 0 : 1 + (yield* level(n - 1)); }
      setImmediate(() => print("levels " + level(100).next().value));
    `;

    for (const [name, source, ok] of [["recursion", recursion, "depth 200\n"], ["yield-star", yieldStar, "levels 100\n"]]) {
      it(`a ${name} chain of ${name === "recursion" ? 200 : 100} frames aborts with a stack overflow at 512 slots, not at 4096`, async () => {
        const device = await run(`${name}-512`, source, { model: true });
        assert.notEqual(device.code, 0, device.output);
        assert.match(device.output, /^stack overflow\n/);
        assert.match(device.output, /as a 512-slot device counts them/);
        assert.ok(!device.output.includes(ok), device.output);
        const large = await run(`${name}-4096`, source, { model: true, rawStackSlots: 4096 });
        assert.equal(large.code, 0, large.output);
        assert.equal(large.output, ok);
        const plain = await run(`${name}-plain`, source, { model: false });
        assert.equal(plain.output, ok);
      });
    }
  });

  describe("the mocha shim on the model", () => {
    /** Stack slots in use (as the device counts them) where `body` runs, from the overflow report. */
    async function bodyDepth(name: string, source: string): Promise<number> {
      const r = await run(name, `function rec(n) { return n === 0 ? 0 : 1 + rec(n - 1); }\n${source}`, { model: true });
      const m = /^\s+(\d+)\s+body$/m.exec(r.output);
      assert.ok(m, `no frame named body in:\n${r.output}`);
      return Number(m[1]);
    }

    it("starts a test body on a shallow stack: at most 20 slots above a bare host callback", async () => {
      const bare = await bodyDepth("depth-bare", "setImmediate(function body() { rec(1000); });");
      const shim = await bodyDepth("depth-shim", [
        'import { run, it } from "./host-tests/lib/xs-mocha-shim.ts";',
        'it("probe", function body() { rec(1000); });',
        "run();",
      ].join("\n"));
      assert.ok(shim - bare <= 20, `the shim puts ${shim - bare} slots under a test body (bare callback: ${bare}, test: ${shim})`);
    });
  });

  describe("the Pico's job order", () => {
    const order = `
      Promise.resolve().then(() => {
        print("job1");
        setImmediate(() => print("timer"));
        Promise.resolve().then(() => print("job2"));
      });
    `;

    it("a timer queued from a promise job runs before the next generation of jobs; plain xsnap drains the jobs first", async () => {
      const device = await run("order-model", order, { model: true });
      assert.equal(device.output, "job1\ntimer\njob2\n");
      const plain = await run("order-plain", order, { model: false });
      assert.equal(plain.output, "job1\njob2\ntimer\n");
    });

    it("an exception escaping a timer callback still aborts xsnap", async () => {
      const device = await run("timer-throw", 'setImmediate(() => { throw new Error("boom"); });', { model: true });
      assert.notEqual(device.code, 0);
      assert.match(device.output, /unhandled exception: Error: boom/);
    });
  });
});
