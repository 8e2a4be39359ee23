import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { now, sleepMs, spawn, type Gen } from "../firmware/sched/index";
import { edgeCaptureFor, useEdgeCapture, type EdgeCapture } from "../firmware/platform/edges";
import { DEFAULT_SIM_BOARD, EdgeClock, SIM_CONSOLE_PORT, SIM_MODEM_PORT, createSimBoard } from "../sim/board";
import { PICO_CPU } from "../sim/cpu";
import { SimPins } from "../sim/digital";
import { SimEeprom24C32 } from "../sim/eeprom24c32";
import { SimI2CBus } from "../sim/i2c";
import { necFrame } from "../sim/nec";
import { SimSerialPort } from "../sim/serial";
import { SimClock } from "../sim/time";
import type { Scheduler } from "../firmware/sched/scheduler";
import { NEC, type NecCode } from "../drivers/nec/decode";
import { NecReceiver } from "../drivers/nec/receiver";
import { PinEdges } from "../drivers/pin/edges";
import { Encoder } from "../drivers/encoder/encoder";
import { keepPinsOpen } from "../drivers/pin/keep-open";

const IR = 15;

/** "command/address@ms" for a decoded frame, the error's name for an error. */
function fmt(r: NecCode): string {
  if (r.code >= 0) return `${r.command}/${r.address}@${Math.round(now() * 10) / 10}`;
  const name = (Object.keys(NEC) as (keyof typeof NEC)[]).find((k) => NEC[k] === r.code);
  return `${name ?? r.code}@${Math.round(now() * 10) / 10}`;
}

/**
 * An NEC frame from 100 ms while a task stores a 32-byte page in the EEPROM at 120 ms (one blocking I2C
 * write of 34 bytes: 3.3 ms of simulated CPU time on the Pico's costs) and reads it back at 130 ms. The pins
 * take the capture path (`capture: true`) or the JS pin callback path with Moddable's coalescing of edges
 * that arrive while a callback is pending (`capture: false`, as the Pico's digital IO without the ring).
 */
async function irDuringI2C(capture: boolean): Promise<{ got: string[]; captured: boolean; i2cAt: string[] }> {
  const got: string[] = [];
  const i2cAt: string[] = [];
  let captured = false;
  await vrun(function* (): Gen<void> {
    const clock = new EdgeClock();
    const pins = new SimPins(clock, { capture, coalesce: !capture });
    const bus = new SimI2CBus(clock, { cpu: PICO_CPU });
    bus.attach(0x50, new SimEeprom24C32());
    const rx = new NecReceiver({ Digital: pins.Digital, pin: IR, onCode: (r) => got.push(fmt(r)) });
    captured = pins.capture !== null;
    const eeprom = new bus.I2C({ data: 4, clock: 5, hz: 100_000, address: 0x50 });
    spawn(function* (): Gen<void> {
      yield* sleepMs(120);
      const page = new Uint8Array(34); // address 0x0000, then 32 data bytes
      for (let i = 2; i < page.length; i++) page[i] = i;
      eeprom.write(page);
      i2cAt.push(`write ${Math.round(now() * 100) / 100}`);
      yield* sleepMs(10);
      eeprom.write(Uint8Array.of(0, 0));
      eeprom.read(32);
      i2cAt.push(`read ${Math.round(now() * 100) / 100}`);
    });
    pins.pulseTrain(IR, 100, necFrame(0x04, 0x08), 0);
    yield* sleepMs(300);
    rx.close();
  }, { stepCost: PICO_CPU.stepMs });
  return { got, captured, i2cAt };
}

describe("edge capture: inputs keep their timing on a busy device (simulated CPU time)", () => {
  it("an IR frame overlapping an I2C transaction decodes through the ring", async () => {
    const r = await irDuringI2C(true);
    assert.equal(r.captured, true);
    // the 34-byte write took 0.2 + 35 x 0.09 = 3.35 ms of CPU (plus the steps of the tasks around it)
    assert.deepEqual(r.i2cAt, ["write 123.55", "read 137.24"]);
    assert.deepEqual(r.got, ["8/4@173.1"]);
  });

  it("the same frame is lost on the JS pin callback path (the edges during the write are stamped when it ends)", async () => {
    const r = await irDuringI2C(false);
    assert.equal(r.captured, false);
    assert.deepEqual(r.i2cAt, ["write 123.55", "read 137.24"]);
    // a 0 bit's space read 3 ms late looks like a 1: the address and its inverse no longer match
    assert.deepEqual(r.got, ["BADADDR@173.2"]);
  });

  it("without simulated CPU time both paths decode it (virtual time stands still while code runs)", async () => {
    for (const capture of [true, false]) {
      const got: string[] = [];
      await vrun(function* (): Gen<void> {
        const clock = new EdgeClock();
        const pins = new SimPins(clock, { capture, coalesce: !capture });
        const bus = new SimI2CBus(clock);
        bus.attach(0x50, new SimEeprom24C32());
        const rx = new NecReceiver({ Digital: pins.Digital, pin: IR, onCode: (r) => got.push(fmt(r)) });
        const eeprom = new bus.I2C({ data: 4, clock: 5, hz: 100_000, address: 0x50 });
        spawn(function* (): Gen<void> {
          yield* sleepMs(120);
          eeprom.write(new Uint8Array(34));
        });
        pins.pulseTrain(IR, 100, necFrame(0x04, 0x08), 0);
        yield* sleepMs(300);
        rx.close();
      });
      assert.deepEqual(got, ["8/4@173"], `capture: ${capture}`);
    }
  });
});

describe("edge capture: the simulated ring (SimEdgeCapture)", () => {
  it("hands edges over in batches, in order across pins, with the times they happened", async () => {
    const seen: string[] = [];
    await vrun(function* (): Gen<void> {
      const clock = new EdgeClock();
      const pins = new SimPins(clock);
      const a = new PinEdges({ Digital: pins.Digital, pin: 2, mode: pins.Digital.InputPullUp, onEdge: (l, us) => seen.push(`A${l}@${us}`) });
      const b = new PinEdges({ Digital: pins.Digital, pin: 3, mode: pins.Digital.InputPullUp, edge: 2, onEdge: (l, us) => seen.push(`B${l}@${us}`) });
      assert.equal(a.captured && b.captured, true);
      pins.driveAt(2, 10, 0);
      pins.driveAt(3, 10.25, 0);
      pins.driveAt(2, 10.5, 1);
      pins.driveAt(3, 10.75, 1); // a rising edge: pin 3 watches falling edges only
      yield* sleepMs(20);
      assert.equal(pins.capture!.batches, 3); // the rising edge of pin 3 is not recorded: no batch
      a.close();
      b.close();
    });
    assert.deepEqual(seen, ["A0@10000", "B0@10250", "A1@10500"]);
  });

  it("a full ring drops new edges and counts them as the pin's overruns; a waiting task gets the edges in order", async () => {
    const r = await vrun(function* (): Gen<{ edges: string[]; overruns: number; pending: number }> {
      const clock = new EdgeClock();
      const pins = new SimPins(clock, { captureRing: 4 });
      const e = new PinEdges({ Digital: pins.Digital, pin: 7, capacity: 16 });
      // six edges in one stimulus callback: the ring takes 4 before the batch is handed over
      clock.at(5, () => {
        for (let i = 0; i < 6; i++) clock.stamped(5 + i / 100, () => pins.drive(7, ((i + 1) & 1) as 0 | 1));
      });
      const edges: string[] = [];
      for (let i = 0; i < 4; i++) {
        const x = yield* e.next();
        edges.push(`${x.level}@${x.us}`);
      }
      const out = { edges, overruns: e.overruns, pending: e.pending };
      e.close();
      return out;
    });
    assert.deepEqual(r, { edges: ["1@5000", "0@5010", "1@5020", "0@5030"], overruns: 2, pending: 0 });
  });

  it("bad use is an error that names it; capture: null takes the JS callback path", async () => {
    await vrun(function* (): Gen<void> {
      const pins = new SimPins(new EdgeClock());
      const capture = pins.capture!;
      assert.throws(() => capture.open(9, 3, () => undefined), /pin 9 is not open/);
      const d = new pins.Digital({ pin: 9, mode: pins.Digital.Input });
      assert.throws(() => capture.open(9, 4, () => undefined), /edge must be 1, 2 or 3/);
      const src = capture.open(9, 3, () => undefined);
      assert.throws(() => capture.open(9, 3, () => undefined), /pin 9 already watched/);
      src.close();
      src.close();
      d.close();
      assert.throws(() => new PinEdges({ Digital: pins.Digital, pin: 9, capture: {} as EdgeCapture }), /capture must be an edge capture/);
      const js = new PinEdges({ Digital: pins.Digital, pin: 9, capture: null });
      assert.equal(js.captured, false);
      js.close();
    });
  });

  it("the platform seam: a Digital class's own capture, else the one installed for it, else none", () => {
    const pins = new SimPins(undefined, { capture: false });
    assert.equal(edgeCaptureFor(pins.Digital), null);
    const fake: EdgeCapture = { name: "fake", open: () => ({ overruns: 0, drain: () => undefined, close: () => undefined }), nowUs: () => 0 };
    class Other {}
    useEdgeCapture(Other, fake);
    try {
      assert.equal(edgeCaptureFor(Other), fake);
      assert.equal(edgeCaptureFor(pins.Digital), null); // its own (null) wins
    } finally {
      useEdgeCapture(Other, null);
    }
    assert.equal(edgeCaptureFor(Other), null);
  });
});

describe("edge capture: keepPinsOpen", () => {
  it("a class wrapped by keepPinsOpen has the base class's capture, so its pins take the ring (the demo wraps device.io.Digital)", async () => {
    await vrun(function* (): Gen<void> {
      const pins = new SimPins(new EdgeClock());
      const Kept = keepPinsOpen(pins.Digital);
      assert.equal(edgeCaptureFor(Kept), pins.capture);
      const a = new PinEdges({ Digital: Kept, pin: 4 });
      assert.equal(a.captured, true);
      a.close();
      const b = new PinEdges({ Digital: Kept, pin: 4 }); // closed for real: the pin opens again
      b.close();
      assert.equal(pins.inUse(4), false);
      const plain = keepPinsOpen(new SimPins(undefined, { capture: false }).Digital);
      assert.equal(edgeCaptureFor(plain), null);
    });
  });
});

describe("edge capture: the encoder counts steps that arrive during blocking work", () => {
  /** 8 quadrature steps (2 detents) 0.2 ms apart from 50 ms, while a console write of 10 lines blocks 10 ms at 49.9 ms. */
  async function turn(capture: boolean): Promise<{ position: number; invalid: number }> {
    return vrun(function* (): Gen<{ position: number; invalid: number }> {
      const clock = new EdgeClock();
      const pins = new SimPins(clock, { capture, coalesce: !capture });
      const knob = new Encoder({ Digital: pins.Digital, pinA: 2, pinB: 3 });
      const port = new SimSerialPort({ baud: 115200, clock, cpuMsPerLine: PICO_CPU.consoleLineMs, transmitBufferSize: 512 });
      spawn(function* (): Gen<void> {
        yield* sleepMs(49.9);
        port.write(new TextEncoder().encode("line\n".repeat(10)));
      });
      // clockwise: A leads B (A falls, B falls, A rises, B rises) per detent
      const seq: Array<[number, 0 | 1]> = [[2, 0], [3, 0], [2, 1], [3, 1]];
      for (let i = 0; i < 8; i++) {
        const [pin, level] = seq[i % 4]!;
        pins.driveAt(pin, 50 + i * 0.2, level);
      }
      yield* sleepMs(100);
      const out = { position: knob.position, invalid: knob.stats().invalid };
      knob.close();
      port.close();
      return out;
    }, { stepCost: PICO_CPU.stepMs });
  }

  it("through the ring: both detents", async () => {
    assert.deepEqual(await turn(true), { position: 2, invalid: 0 });
  });

  it("on the JS callback path: edges coalesced while the console blocked are lost", async () => {
    assert.deepEqual(await turn(false), { position: 0, invalid: 0 });
  });
});

describe("simulated CPU time (sim/cpu)", () => {
  it("charges I2C transfers per transfer and byte, console lines per line, on a virtual clock", async () => {
    const at = await vrun(function* (): Gen<number[]> {
      const clock = new EdgeClock();
      const bus = new SimI2CBus(clock, { cpu: { i2cTransferMs: 0.5, i2cByteMs: 0.1 } });
      bus.attach(0x50, new SimEeprom24C32());
      const i2c = new bus.I2C({ data: 4, clock: 5, hz: 100_000, address: 0x50 });
      const port = new SimSerialPort({ baud: 115200, clock, cpuMsPerLine: 2 });
      const t: number[] = [now()];
      i2c.write(Uint8Array.of(0, 0)); // 0.5 + 3 x 0.1
      t.push(now());
      i2c.read(4); // 0.5 + 5 x 0.1
      t.push(now());
      port.write(new TextEncoder().encode("a\nb\nc")); // two lines
      t.push(now());
      port.close();
      return t.map((x) => Math.round(x * 1000) / 1000);
    });
    assert.deepEqual(at, [0, 0.8, 1.8, 5.8]);
  });

  it("createSimBoard's cpu option charges its I2C buses and its console port (not the modem's)", async () => {
    const at = await vrun(function* (): Gen<number[]> {
      const board = createSimBoard(new EdgeClock(), DEFAULT_SIM_BOARD, { cpu: { i2cTransferMs: 1, i2cByteMs: 0, consoleLineMs: 3 } });
      const eeprom = new board.io.I2C({ ...board.I2C.default, address: 0x50 });
      const consolePort = new board.io.Serial({ ...board.Serial.default, baud: 115200, port: SIM_CONSOLE_PORT });
      const modemPort = new board.io.Serial({ ...board.Serial.default, baud: 115200, port: SIM_MODEM_PORT });
      const t: number[] = [now()];
      eeprom.write(Uint8Array.of(0, 0));
      t.push(now());
      consolePort.write(new TextEncoder().encode("ok\n"));
      t.push(now());
      modemPort.write(new TextEncoder().encode("AT\r\n"));
      t.push(now());
      consolePort.close();
      modemPort.close();
      return t;
    });
    assert.deepEqual(at, [0, 1, 4, 4]);
  });

  it("bad costs are a RangeError", () => {
    const clock = new SimClock({} as Scheduler);
    assert.throws(() => new SimI2CBus(clock, { cpu: { i2cByteMs: -1 } }), /i2cByteMs must be a finite number of ms >= 0, got -1/);
    assert.throws(() => new SimSerialPort({ baud: 9600, cpuMsPerLine: Infinity, clock }), /cpuMsPerLine must be a finite number of ms >= 0/);
  });
});
