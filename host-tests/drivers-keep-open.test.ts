import { assert } from "./lib/assert";
import { vrun } from "./helpers";
import { sleepMs } from "../firmware/sched/index";
import { Uart, keepOpen } from "../drivers/uart/index";
import { keepPinsOpen } from "../drivers/pin/index";
import { createSimBoard } from "../sim/board";

// Moddable's Pico Serial cannot be closed and opened again (the simulated board models it): keepOpen leases
// one open port instead.
describe("keepOpen (a UART that services can close and open again)", () => {
  it("the simulated board, like the Pico, refuses to open a port twice, even after close", async () => {
    await vrun(function* () {
      const sim = createSimBoard();
      const u = new Uart(sim.io.Serial, { port: 2, baud: 115200 });
      u.close();
      assert.throws(() => new Uart(sim.io.Serial, { port: 2, baud: 115200 }), /^RangeError: port in use$/);
    });
  });

  it("a closed lease hands the open port to the next: it reads, writes, and is told the free space", async () => {
    await vrun(function* () {
      const sim = createSimBoard();
      const Serial = keepOpen(sim.io.Serial);
      const a = new Uart(Serial, { port: 2, baud: 115200 });
      yield* a.writer.write("one\n");
      const port = sim.port(2)!;
      port.peer.send("hello\n");
      assert.equal(yield* a.reader.readLine(), "hello\n");
      assert.throws(() => new Uart(Serial, { port: 2, baud: 115200 }), /^RangeError: Serial 2\/-\/-: port in use$/);
      a.close();
      yield* sleepMs(10);
      port.peer.send("lost\n"); // nobody has the port: read and dropped
      yield* sleepMs(10);
      assert.equal(Serial.dropped({ port: 2, baud: 115200 }), 5);
      assert.throws(() => new Uart(Serial, { port: 2, baud: 9600 }), /kept open with 115200\/none\/buffer, asked for 9600\/none\/buffer/);
      const b = new Uart(Serial, { port: 2, baud: 115200 });
      yield* b.writer.write("two\n"); // waits for the replayed onWritable
      port.peer.send("again\n");
      assert.equal(yield* b.reader.readLine(), "again\n");
      yield* sleepMs(10);
      assert.equal(port.peer.receivedText(), "one\ntwo\n");
      assert.throws(() => a.serial.write(1), /closed/, "the old lease is closed");
      b.close();
    });
  });
});

describe("keepPinsOpen (pins that watch edges, closed and opened again)", () => {
  it("the simulated board, like the Pico, halts at an edge after a pin that watched edges was closed", async () => {
    await vrun(function* () {
      const sim = createSimBoard();
      const D = sim.io.Digital;
      const a = new D({ pin: 14, mode: D.InputPullUp, edge: D.Rising | D.Falling, onReadable: () => {} });
      a.close();
      new D({ pin: 14, mode: D.InputPullUp, edge: D.Rising | D.Falling, onReadable: () => {} });
      assert.throws(() => sim.pins.drive(14, 0), /simulated Pico halted: an edge on pin 14/);
    });
  });

  it("a closed lease hands the pin and its interrupt to the next; edges between leases are ignored", async () => {
    await vrun(function* () {
      const sim = createSimBoard();
      const Digital = keepPinsOpen(sim.io.Digital);
      const seen: string[] = [];
      const opts = (tag: string) => ({ pin: 14, mode: Digital.InputPullUp, edge: Digital.Rising | Digital.Falling, onReadable: () => seen.push(tag) });
      const a = new Digital(opts("a"));
      sim.pins.drive(14, 0);
      yield* sleepMs(1);
      assert.throws(() => new Digital(opts("x")), /Digital pin 14: already in use/);
      a.close();
      sim.pins.drive(14, 1); // nobody has it
      yield* sleepMs(1);
      assert.throws(() => new Digital({ ...opts("x"), edge: Digital.Falling }), /kept open as .*, asked for/);
      const b = new Digital(opts("b"));
      sim.pins.drive(14, 0);
      yield* sleepMs(1);
      assert.equal(b.read(), 0);
      assert.deepEqual(seen, ["a", "b"]);
      assert.throws(() => a.read(), /closed/);
      const led = new Digital({ pin: 25, mode: Digital.Output }); // no edges: a plain pin, closed for real
      led.write(1);
      led.close();
      assert.equal(sim.pins.inUse(25), false);
    });
  });
});
