// Random JSON at every console command and at every service's and task's arguments (issue 24), with
// fast-check: each answer is a single `error: ...` line or a success (no line of it an error), and every
// service still runs afterwards, also after stored arguments are used by a restart.
// npm test runs 10,000 inputs (about 7 s); FUZZ_RUNS and FUZZ_SEED change the count and the seed.
import fc from "fast-check";
import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { checkpoint, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { TRACE } from "../firmware/sched/trace";
import { startDemo } from "./lib/demo-rig";

const RUNS = Number(process.env.FUZZ_RUNS ?? 10000);
const SEED = Number(process.env.FUZZ_SEED ?? 24);

/** What the console answered, checked: one error line, or a success with no error line in it. */
function checkAnswer(line: string, out: string[]): boolean {
  for (const l of out) assert.ok(!/[\r\n]/.test(l), `an answer line holds a line break: ${JSON.stringify(l)} (input ${JSON.stringify(line)})`);
  const errors = out.filter((l) => l.startsWith("error: "));
  if (errors.length === 0) return true;
  assert.equal(out.length, 1, `an error answer of ${out.length} lines to ${JSON.stringify(line)}: ${out.join(" | ")}`);
  return false;
}

describe(`console: random JSON at every command and every service's args (fast-check, ${RUNS} inputs, seed ${SEED})`, () => {
  it("every answer is one `error: ...` line or a success, and every service still runs afterwards", async function () {
    this.timeout(Math.max(60000, RUNS * 60));
    await vrun(function* (): Gen<void> {
      const r = yield* startDemo();
      const con = r.demo.console!;
      const services = r.demo.services.all().map((s) => s.name);
      const tasks = r.demo.registry.list().map((c) => c.name).filter((n) => n !== "console");
      // `log follow` would wait for the next typed line, and `stop`/`service stop` with a real name would
      // stop a service on purpose: JSON text never forms those words, so every command is in
      const commands = con.names();
      const json = fc.json({ maxDepth: 3 });
      const line = fc.oneof(
        fc.tuple(fc.constantFrom(...commands), json).map(([c, j]) => `${c} ${j}`),
        fc.tuple(fc.constantFrom(...services), json).map(([s, j]) => `args ${s} ${j}`),
        fc.tuple(fc.constantFrom(...services), fc.array(json.map((j) => JSON.parse(j) as unknown), { maxLength: 3 })).map(([s, a]) => `args ${s} ${JSON.stringify(a)}`),
        fc.tuple(fc.constantFrom(...tasks), fc.array(fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 8 })), { maxLength: 3 })).map(([t, a]) => `restart ${t} ${JSON.stringify(a)}`),
        fc.tuple(fc.constantFrom(...commands), fc.string({ maxLength: 40 })).map(([c, s]) => `${c} ${s}`),
      );
      const lines = fc.sample(line, { numRuns: RUNS, seed: SEED });
      let ok = 0;
      let refused = 0;
      const ask = function* (text: string): Gen<string[]> {
        // as a task of its own, like the console's loop (a command's child task must not be the test's)
        return yield* spawn("fuzz", function* (): Gen<string[]> {
          return yield* con.execute(text);
        }).join();
      };
      for (const text of lines) {
        const out = yield* ask(text);
        if (checkAnswer(text, out)) ok++;
        else refused++;
        // stored arguments are used at the next start: restart the service with them
        const m = /^args (\S+) /.exec(text);
        if (m !== null && !out[0]!.startsWith("error: ")) {
          const again = yield* ask(`service restart ${m[1]}`);
          assert.ok(!again[0]!.startsWith("error: "), `service restart ${m[1]} after ${JSON.stringify(text)}: ${again.join(" | ")}`);
        }
        yield* checkpoint();
        yield* sleepMs(1);
        for (const s of r.demo.services.all()) {
          assert.ok(s.running, `after ${JSON.stringify(text)}: service ${s.name} is ${s.state} (${s.reason})`);
        }
        // the printer is a task, not a service: it must still run too
        assert.equal(r.demo.registry.get("printer")!.state, "running", `after ${JSON.stringify(text)}: the printer stopped`);
        if (m !== null) yield* ask(`args ${m[1]} default`);
      }
      TRACE.stop();
      assert.ok(ok > 0 && refused > 0, `${ok} successes, ${refused} refusals`);
      process.stdout.write(`      (${lines.length} inputs: ${ok} answered, ${refused} refused with one error line)\n`);
    });
  });
});
