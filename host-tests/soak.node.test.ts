import { assert } from "./lib/assert";
import { HalfDuplex } from "../drivers/uart/index";
import type { Gen } from "../firmware/sched/index";
import { runSoak } from "../scripts/soak/run";

// The short soak: the demo on the simulated board under a seeded mix of stimuli and faults on every channel
// (`npm run soak -- --days 7` is the long one). Each fix it guards is undone once below, and the soak must
// catch it.
describe("soak (the demo under seeded stimuli and faults, virtual time)", function () {
  this.timeout(600000);

  for (const seed of [1, 2]) {
    it(`seed ${seed}, one simulated day: every invariant holds`, async () => {
      const r = await runSoak({ days: 1, seed });
      assert.deepEqual(r.violations, []);
      assert.equal(r.rows.length, 24);
      const t = r.totals;
      assert.ok(t.faults! > 5000 && t.clicks! > 1000 && t.irBad! > 500 && t.noise! > 300 && t.stops! > 200 && t.writeRestarts! > 100, JSON.stringify(t));
      assert.equal(t.clicksSeen, t.clicks);
      assert.equal(t.garbled, t.noise);
      assert.ok(t.crashes! > 100, `${t.crashes} crashes`);
      assert.equal(t.restarts, t.crashes, "every injected crash was restarted by the policy");
    });
  }

  it("the same seed gives the same digest; another seed another", async () => {
    const a = await runSoak({ days: 1 / 24, seed: 7 });
    const b = await runSoak({ days: 1 / 24, seed: 7 });
    const c = await runSoak({ days: 1 / 24, seed: 8 });
    assert.equal(a.digest, b.digest);
    assert.deepEqual(a.totals, b.totals);
    assert.notEqual(a.digest, c.digest);
  });

  it("catches a modem that dies on line noise (the over-long-line fix undone)", async () => {
    const r = await runSoak({
      days: 2 / 24, seed: 3,
      tamper: (demo) => {
        const m = demo.modem as unknown as { open(): void; uart: ConstructorParameters<typeof HalfDuplex>[0]; hd: HalfDuplex };
        const open = m.open.bind(m);
        m.open = () => {
          open();
          m.hd = new HalfDuplex(m.uart, { quietMs: 100, timeoutMs: 1000 }); // longLines: "throw", as before
        };
      },
    });
    assert.ok(r.violations.some((v) => /modem: \d+ noise bursts, \d+ garbled lines counted/.test(v)), r.violations.join("\n"));
    assert.ok(r.violations.some((v) => /service failures/.test(v)), r.violations.join("\n"));
  });

  it("catches a restart that forgets the EEPROM (no ACK polling, no probing again)", async () => {
    const r = await runSoak({
      days: 2 / 24, seed: 4,
      tamper: (demo) => {
        const env = demo.env as unknown as { ackPollMs: number; probe(first: boolean): Gen<void> };
        env.ackPollMs = 0;
        const probe = env.probe.bind(env);
        env.probe = function* (first: boolean): Gen<void> {
          if (first) yield* probe(first); // as before: one try when it opens, never again
        };
      },
    });
    assert.ok(r.violations.some((v) => /a reading was not stored with the EEPROM present/.test(v)), r.violations.slice(0, 5).join("\n"));
  });

  it("catches services that stay down after a crash (no restart policy)", async () => {
    const r = await runSoak({
      days: 2 / 24, seed: 5,
      tamper: (demo) => {
        for (const s of demo.services.all()) (s as { policy: string }).policy = "never";
      },
    });
    assert.ok(r.violations.some((v) => /is not running at the end: failed/.test(v)), r.violations.join("\n"));
    assert.ok(r.violations.some((v) => /0 automatic restarts for \d+ injected crashes/.test(v)), r.violations.join("\n"));
  });

  it("refuses bad options with a clear error", () => {
    assert.throws(() => runSoak({ days: 0, seed: 1 }), /days must be > 0, got 0/);
    assert.throws(() => runSoak({ days: 1, seed: 1.5 }), /the seed is an integer, got 1.5/);
  });
});
