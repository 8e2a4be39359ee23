import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { spawn, sleepMs, checkpoint, now, type Gen } from "../firmware/sched/index";
import { SimPins } from "../sim/digital";
import { necFrame, necRepeat, NEC_REPEAT_PERIOD_MS } from "../sim/nec";
import { NEC, type NecCode } from "../drivers/nec/decode";
import { NecReceiver } from "../drivers/nec/receiver";

const PIN = 16;

/** Run `body` with a receiver on a simulated pin; returns the results in order, stamped with ms. */
async function receive(
  send: (pins: SimPins) => void,
  untilMs: number,
  opts: { extended?: boolean; stepCost?: number; busy?: number } = {},
): Promise<string[]> {
  const got: string[] = [];
  await vrun(function* (): Gen<void> {
    const pins = new SimPins();
    const rx = new NecReceiver({ Digital: pins.Digital, pin: PIN, extended: opts.extended ?? false, onCode: (r: NecCode) => got.push(fmt(r)) });
    for (let i = 0; i < (opts.busy ?? 0); i++) spawn(function* () { for (;;) yield* checkpoint(); });
    send(pins);
    yield* sleepMs(untilMs);
    rx.close();
  }, { stepCost: opts.stepCost ?? 0 });
  return got;
  function fmt(r: NecCode): string {
    return `${r.code}/${r.address}/${r.command}@${Math.round(now())}`;
  }
}

describe("NEC IR receiver (simulated pin, virtual time)", () => {
  it("decodes a frame 73 ms after its first edge; a held key repeats the last valid code every 108 ms", async () => {
    const got = await receive((pins) => {
      pins.pulseTrain(PIN, 100, necFrame(0x04, 0x08), 0);
      pins.pulseTrain(PIN, 100 + NEC_REPEAT_PERIOD_MS, necRepeat(), 0);
      pins.pulseTrain(PIN, 100 + 2 * NEC_REPEAT_PERIOD_MS, necRepeat(), 0);
    }, 500);
    assert.deepEqual(got, ["8/4/8@173", `${NEC.REPEAT}/4/8@281`, `${NEC.REPEAT}/4/8@389`]);
  });

  it("every command at several addresses, back to back, with jitter", async () => {
    const codes: Array<[number, number]> = [];
    for (const a of [0, 0x81, 0xff]) for (let c = 0; c < 256; c += 17) codes.push([a, c]);
    const got = await receive((pins) => {
      codes.forEach(([a, c], i) => pins.pulseTrain(PIN, 10 + i * 120, necFrame(a, c, { jitterUs: 120, seed: i }), 0));
    }, 10 + codes.length * 120 + 100);
    assert.deepEqual(got.map((s) => s.split("@")[0]), codes.map(([a, c]) => `${c}/${a}/${c}`));
  });

  it("extended addresses when enabled (80 ms block), BADADDR otherwise", async () => {
    // 0xbeef has many 1 bits: the frame lasts 73.7 ms, longer than a standard frame (always 68 ms)
    const long = (pins: SimPins): void => pins.pulseTrain(PIN, 10, necFrame(0xbeef, 0x42, { extended: true }), 0);
    assert.deepEqual(await receive(long, 200, { extended: true }), ["66/48879/66@90"]);
    const short = (pins: SimPins): void => pins.pulseTrain(PIN, 10, necFrame(0x0102, 0x42, { extended: true }), 0);
    assert.deepEqual(await receive(short, 200), [`${NEC.BADADDR}/-1/-1@83`]);
  });

  it("error codes come out as values, and decoding goes on afterwards", async () => {
    const got = await receive((pins) => {
      pins.pulseTrain(PIN, 10, necFrame(1, 2, { truncate: 31 }), 0); // BADBLOCK (an odd count leaves the pin idle)
      pins.pulseTrain(PIN, 200, necFrame(1, 2, { flipBit: 17 }), 0); // BADDATA
      pins.pulseTrain(PIN, 400, [3000, 4500, 562.5], 0); // BADSTART
      pins.pulseTrain(PIN, 600, [9000, 2250, 562.5, 562.5, 562.5], 0); // BADREP
      pins.pulseTrain(PIN, 800, Array.from({ length: 79 }, () => 500), 0); // OVERRUN: 80 edges
      pins.pulseTrain(PIN, 1000, necFrame(7, 9), 0); // valid again
    }, 1200);
    assert.deepEqual(got.map((s) => Number(s.split("/")[0])), [NEC.BADBLOCK, NEC.BADDATA, NEC.BADSTART, NEC.BADREP, NEC.OVERRUN, 9]);
  });

  it("decodes correctly while the scheduler is busy (10 tasks spinning, 10 µs per step)", async () => {
    const got = await receive((pins) => {
      for (let i = 0; i < 5; i++) pins.pulseTrain(PIN, 50 + i * 150, necFrame(0x10 + i, 0x20 + i, { jitterUs: 80, seed: i }), 0);
    }, 900, { busy: 10, stepCost: 0.01 });
    assert.deepEqual(got.map((s) => s.split("@")[0]), [0, 1, 2, 3, 4].map((i) => `${0x20 + i}/${0x10 + i}/${0x20 + i}`));
  });

  it("next() and async iteration deliver the same results", async () => {
    const r = await vrun(async () => {
      const pins = new SimPins();
      const rx = new NecReceiver({ Digital: pins.Digital, pin: PIN });
      pins.pulseTrain(PIN, 10, necFrame(3, 4), 0);
      pins.pulseTrain(PIN, 200, necFrame(5, 6), 0);
      const first = await rx.next();
      const out = [first.command];
      for await (const x of rx) { out.push(x.command); break; }
      rx.close();
      rx.close();
      return out;
    });
    assert.deepEqual(r, [4, 6]);
  });
});
