import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { ClosedError, InvalidStateError, moveOnAfter, now, sleepMs, spawn } from "../firmware/sched/index";
import { StatsBoard } from "../firmware/control/stats";
import { Encoder, type EncoderOptions } from "../drivers/encoder/index";
import { SimPins } from "../sim/digital";
import { SimEncoder } from "../sim/encoder";

const A = 2;
const B = 3;

function rig(options: Partial<EncoderOptions> = {}, pins = new SimPins()) {
  const knob = new SimEncoder(pins, A, B);
  const enc = new Encoder({ Digital: pins.Digital, pinA: A, pinB: B, ...options });
  return { pins, knob, enc };
}

describe("Encoder", () => {
  it("decodes quadrature both ways: 200 steps clockwise are 50 positions, -8 are two back, with and without contact bounce", async () => {
    await vrun(function* () {
      for (const bounce of [0, 3]) {
        const { knob, enc, pins } = rig();
        knob.bounce = bounce;
        const t0 = now();
        const end = knob.turn(200);
        assert.equal(end, t0 + 1 + 199 * 2); // an edge every 2 ms from 1 ms from now
        yield* sleepMs(end - now() + 1);
        assert.equal(enc.position, 50);
        knob.turn(-8);
        yield* sleepMs(20);
        assert.equal(enc.position, 48);
        const s = enc.stats();
        // each A edge (half of the 208) brings `bounce` glitches: 2 edges each, a step back and forth
        assert.deepEqual([s.edges, s.invalid, s.moves], [208 + 104 * 2 * bounce, 0, 52]);
        enc.close();
        assert.equal(pins.inUse(A) || pins.inUse(B), false);
      }
    });
  });

  it("gives a slow consumer the latest position, not a backlog (coalescing)", async () => {
    const log = new Log();
    await vrun(function* () {
      const { knob, enc } = rig();
      spawn(function* () {
        for (;;) {
          log.add(`pos ${yield* enc.next()}`);
          yield* sleepMs(30);
        }
      });
      knob.turn(40, { atMs: 10 }); // an edge every 2 ms from 10, a position every 4th edge: 16, 24, ... 88
      yield* sleepMs(200);
      assert.deepEqual([enc.stats().delivered, enc.stats().coalesced], [4, 6]);
    });
    assert.deepEqual(log.items, ["pos 1@16", "pos 4@46", "pos 8@76", "pos 10@106"]);
  });

  it("stops at its limits and turns back at once; wraps when told; division 1 counts every edge", async () => {
    await vrun(function* () {
      let r = rig({ min: 0, max: 5 });
      r.knob.turn(40);
      yield* sleepMs(100);
      assert.deepEqual([r.enc.position, r.enc.stats().clamped], [5, 5]);
      r.knob.turn(-8);
      yield* sleepMs(20);
      assert.equal(r.enc.position, 3);
      r.enc.set(99);
      assert.equal(r.enc.position, 5);
      r.enc.close();
      r = rig({ min: 0, max: 9, wrap: true }, new SimPins());
      r.knob.turn(48);
      yield* sleepMs(100);
      assert.equal(r.enc.position, 2);
      r.knob.turn(-16);
      yield* sleepMs(40);
      assert.equal(r.enc.position, 8);
      r.enc.close();
      r = rig({ division: 1 }, new SimPins());
      r.knob.turn(6);
      yield* sleepMs(20);
      assert.equal(r.enc.position, 6);
    });
  });

  it("velocity: position steps per second over the window", async () => {
    await vrun(function* () {
      const { knob, enc } = rig({ velocityMs: 100 });
      knob.turn(40, { atMs: 10, stepUs: 1000 }); // 10 positions from 13 to 49 ms
      yield* sleepMs(50 - now());
      assert.equal(enc.velocity(), 100); // 10 in the last 100 ms
      yield* sleepMs(140 - now());
      assert.equal(enc.velocity(), 30); // the window (40, 140] holds the moves at 41, 45 and 49 ms
      knob.turn(-8, { stepUs: 1000 });
      yield* sleepMs(10);
      assert.equal(enc.velocity(), -20);
      yield* sleepMs(200);
      assert.equal(enc.velocity(), 0);
    });
  });

  it("on the JS callback path, counts missed edges (both pins changed between callbacks) as invalid instead of guessing", async () => {
    await vrun(function* () {
      const { knob, enc } = rig({}, new SimPins(undefined, { coalesce: true, capture: false }));
      knob.turn(2, { stepUs: 0 }); // A and B fall at one instant: the first callback sees both changed
      yield* sleepMs(10);
      assert.equal(enc.position, 0);
      assert.deepEqual([enc.stats().invalid, enc.stats().steps], [1, 0]);
    });
  });

  it("next() is cancel-safe, has one consumer and ends with ClosedError; async iteration; bad options; the stats board", async () => {
    const log = new Log();
    await vrun(async () => {
      const { knob, enc, pins } = rig();
      const r = await moveOnAfter(5, () => enc.next());
      assert.equal(r.timedOut, true);
      knob.turn(4);
      const waiter = spawn(async () => {
        for await (const p of enc) log.add(`iter ${p}`);
        log.add("iter done");
      });
      await sleepMs(20);
      const second = spawn(async () => enc.next());
      await sleepMs(1);
      assert.ok(second.done);
      assert.throws(() => second.result, InvalidStateError);
      const board = new StatsBoard();
      board.attach("encoder", enc);
      assert.equal(board.lines()[0], "encoder position=1 edges=4 steps=4 invalid=0 moves=1 clamped=0 delivered=1 coalesced=0");
      enc.close();
      enc.close();
      await waiter.join();
      assert.throws(() => enc.next(), ClosedError);
      for (const [o, msg] of [
        [{ pinA: 5, pinB: 5 }, /pinA and pinB must differ/],
        [{ division: 0 }, /division must be an integer >= 1, got 0/],
        [{ min: 5, max: 1 }, /min \(5\) is above max \(1\)/],
        [{ wrap: true, max: 3 }, /wrap needs both min and max/],
        [{ min: NaN }, /min must be a finite number, got NaN/],
        [{ velocityMs: 0 }, /velocityMs must be a number > 0/],
      ] as const) assert.throws(() => new Encoder(Object.assign({ Digital: pins.Digital, pinA: A, pinB: B }, o)), msg);
      assert.throws(() => new Encoder({ Digital: undefined as never, pinA: A, pinB: B }), TypeError);
      assert.equal(pins.inUse(A) || pins.inUse(B), false);
    });
    assert.deepEqual(log.items, ["iter 1@12", "iter done@26"]);
  });
});
