import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { ClosedError, WouldBlock, checkpoint, failAfter, moveOnAfter, now, sleepMs, spawn } from "../firmware/sched/index";
import { HalfDuplex, LineTooLongError, Uart, UartOverflowError, type ReaderOptions } from "../drivers/uart/index";
import { SimSerialPort, type SimSerialOptions } from "../sim/serial";
import { SimClock, seededRandom } from "../sim/time";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A Uart on a simulated port (10_000 baud: one byte per virtual ms unless told otherwise). */
function open(sim: Partial<SimSerialOptions> = {}, reader: ReaderOptions = {}): { uart: Uart; port: SimSerialPort } {
  const uart = new Uart(SimSerialPort, { baud: 10_000, ...sim }, reader);
  return { uart, port: uart.serial as SimSerialPort };
}

/** Index of the first difference, or -1. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

describe("SimSerialPort", () => {
  it("paces received bytes at 10 bits per byte, calls onReadable from the event loop, and counts FIFO overruns", async () => {
    const log = new Log();
    await vrun(function* () {
      let port: SimSerialPort | null = null;
      port = new SimSerialPort({ baud: 10_000, receiveBufferSize: 8, onReadable: (n) => log.add(`readable ${n} ${port === null ? "sync!" : ""}`) });
      const p = port;
      const end = p.peer.send("0123456789ABCDEFGHIJ", { chunking: [5] }); // 20 bytes, 1 ms each
      assert.equal(end, 20);
      yield* sleepMs(25);
      assert.equal(p.overruns, 12);
      assert.equal(text(new Uint8Array(p.read(3) as ArrayBuffer)), "012");
      p.format = "number";
      assert.equal(p.read(), "3".charCodeAt(0));
      p.format = "buffer";
      assert.equal(text(new Uint8Array(p.read() as ArrayBuffer)), "4567");
      assert.equal(p.read(), undefined);
    });
    assert.deepEqual(log.items, ["readable 5 @5", "readable 8 @10", "readable 8 @15", "readable 8 @20"]);
  });

  it("write() of more than the free space throws, like Moddable; onWritable announces room as bytes leave", async () => {
    const log = new Log();
    await vrun(function* () {
      const port = new SimSerialPort({ baud: 10_000, transmitBufferSize: 32, onWritable: (n) => log.add(`writable ${n}`) });
      assert.throws(() => port.write(new Uint8Array(33)), /33 bytes with 32 free/);
      port.write(new Uint8Array(32));
      assert.throws(() => port.write(1), /1 bytes with 0 free/);
      yield* sleepMs(40);
      assert.equal(port.peer.received().length, 32);
      port.close();
      port.close();
      assert.throws(() => port.write(1), /closed/);
    });
    // the initial announcement comes from the event loop after construction (the buffer is full by then)
    assert.deepEqual(log.items, ["writable 0@0", "writable 16@16", "writable 32@32"]);
  });

  it("fault injection by seed drops and adds bytes deterministically", async () => {
    const counts: number[][] = [];
    for (let run = 0; run < 2; run++) {
      await vrun(function* () {
        const port = new SimSerialPort({ baud: 10_000, receiveBufferSize: 2000 });
        port.peer.faults({ seed: 7, drop: 0.05, garbage: 0.02 });
        port.peer.send(new Uint8Array(1000).fill(0x55));
        yield* sleepMs(1001);
        const got = new Uint8Array(port.read() as ArrayBuffer);
        const { dropped, garbage } = port.peer.faultStats;
        assert.equal(got.length, 1000 - dropped + garbage);
        assert.ok(dropped > 20 && garbage > 5, `dropped ${dropped}, garbage ${garbage}`);
        counts.push([dropped, garbage]);
      });
    }
    assert.deepEqual(counts[0], counts[1]);
  });
});

describe("UartReader / UartWriter", () => {
  it("1 MB through a loopback at 2 Mbaud with random chunking arrives intact, at line rate", async function () {
    this.timeout(120_000);
    const N = 1 << 20;
    const data = new Uint8Array(N);
    const rnd = seededRandom(42);
    for (let i = 0; i < N; i++) data[i] = Math.floor(rnd() * 256);
    const got = new Uint8Array(N);
    const t0 = Date.now();
    const r = await vrun(function* () {
      const { uart, port } = open({ baud: 2_000_000 }, { bufferSize: 1024 });
      port.peer.loopback({ chunking: "random", seed: 3 });
      const writer = spawn(function* () { return yield* uart.writer.write(data); });
      let n = 0;
      while (n < N) {
        const chunk = yield* uart.reader.read(4096);
        got.set(chunk, n);
        n += chunk.length;
      }
      assert.equal(yield* writer.join(), N);
      return { t: now(), overruns: port.overruns, overflowed: uart.reader.overflowed };
    });
    const wall = Date.now() - t0;
    assert.equal(firstDiff(got, data), -1);
    assert.equal(r.overruns, 0);
    assert.equal(r.overflowed, 0);
    assert.ok(Math.abs(r.t - N * 0.005) < 1e-3, `finished at ${r.t} ms, expected ${N * 0.005}`); // 5 µs a byte
    console.log(`      1 MB loopback: ${wall} ms wall, ${Math.round(r.t)} ms virtual`);
  });

  it("readLine joins lines split across chunks (UTF-8 included) and returns each as it completes", async () => {
    const log = new Log();
    await vrun(function* () {
      const { uart, port } = open();
      port.peer.send("hello wor", { chunking: [4] });
      port.peer.send("ld\nh\u00e9 \u2713\nlast", { chunking: [1, 2, 3] });
      for (let i = 0; i < 2; i++) log.add(JSON.stringify(yield* uart.reader.readLine()));
      const r = yield* moveOnAfter(50, function* () { return yield* uart.reader.readLine(); });
      log.add(`timedOut ${r.timedOut} available ${uart.reader.available}`);
      assert.throws(() => uart.reader.readLineNowait(), WouldBlock);
      port.peer.send("\n");
      log.add(JSON.stringify(yield* uart.reader.readLine()));
    });
    // "hello world\n" is 12 bytes (12 ms); "hé ✓\n" is 8 bytes, its "\n" is byte 20, in the chunk of
    // 3 that arrives at 21 ms (a chunk is delivered when its last byte is in)
    assert.deepEqual(log.items, ['"hello world\\n"@12', '"h\u00e9 \u2713\\n"@21', "timedOut true available 4@71", '"last\\n"@72']);
  });

  it("an async task can iterate lines until the port closes", async () => {
    const lines: string[] = [];
    await vrun(async () => {
      const { uart, port } = open();
      port.peer.send("a\nbb\nccc\n", { chunking: [2] });
      const t = spawn(async () => { for await (const l of uart.reader) lines.push(l); return "ended"; });
      await sleepMs(20);
      uart.close();
      assert.equal(await t.join(), "ended");
    });
    assert.deepEqual(lines, ["a\n", "bb\n", "ccc\n"]);
  });

  it("a line longer than maxLine throws LineTooLongError and is skipped up to its end", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const { uart, port } = open({}, { bufferSize: 16, maxLine: 8 });
      port.peer.send("0123456789abcdefghijklmnop\nok\n", { chunking: [4] });
      try { yield* uart.reader.readLine(); } catch (e) { log.push(`${(e as Error).name} ${(e as LineTooLongError).maxLine}`); }
      log.push(yield* uart.reader.readLine());
      log.push(`discarded ${uart.reader.discardedLong}`);
    });
    assert.deepEqual(log, ["LineTooLongError 8", "ok\n", "discarded 27"]);
  });

  describe("overflow policies: lost bytes are counted exactly", () => {
    const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCD"; // 40 bytes
    it("drop-newest keeps the first bytes", async () => {
      await vrun(function* () {
        const { uart, port } = open({}, { bufferSize: 16, overflow: "drop-newest" });
        port.peer.send(alphabet);
        yield* sleepMs(50);
        assert.equal(uart.reader.overflowed, 24);
        assert.equal(port.overruns, 0);
        assert.equal(text(yield* uart.reader.read(100)), alphabet.slice(0, 16));
      });
    });
    it("drop-oldest keeps the last bytes", async () => {
      await vrun(function* () {
        const { uart, port } = open({}, { bufferSize: 16, overflow: "drop-oldest" });
        port.peer.send(alphabet, { chunking: [7] });
        yield* sleepMs(50);
        assert.equal(uart.reader.overflowed, 24);
        assert.equal(text(uart.reader.readNowait(100)), alphabet.slice(24));
      });
    });
    it("error: reads complete up to the gap; the read that reaches it throws UartOverflowError once", async () => {
      await vrun(function* () {
        const { uart, port } = open({}, { bufferSize: 16, overflow: "error" });
        const waiting = spawn(function* () { return text(yield* uart.reader.readExactly(16)); });
        // 10-byte chunks at 10, 20, 30, 40 ms. At 20: 6 fill the buffer, 4 are lost (the gap follows the
        // first 16 bytes). The reader takes those 16; 30: 10 buffered; 40: 6 buffered, 4 more lost: a second gap.
        port.peer.send(alphabet, { chunking: [10] });
        assert.equal(yield* waiting.join(), alphabet.slice(0, 16));
        yield* sleepMs(50);
        let err: unknown;
        try { yield* uart.reader.read(100); } catch (e) { err = e; }
        assert.ok(err instanceof UartOverflowError);
        assert.equal((err as UartOverflowError).bytes, 4);
        assert.equal(uart.reader.overflowed, 8);
        assert.equal(text(yield* uart.reader.read(100)), alphabet.slice(20, 36));
        // the second gap (36..40) is reported on its own: nothing after it joins the bytes before it
        assert.throws(() => uart.reader.readNowait(100), UartOverflowError);
        // a gap behind buffered bytes: they are read first
        port.peer.send(alphabet);
        yield* sleepMs(50);
        assert.equal(text(yield* uart.reader.read(10)), alphabet.slice(0, 10));
        assert.equal(text(yield* uart.reader.read(10)), alphabet.slice(10, 16));
        assert.throws(() => uart.reader.readNowait(10), UartOverflowError);
        assert.throws(() => uart.reader.readNowait(10), WouldBlock);
      });
    });
  });

  it("a read that times out consumes nothing: the next reader gets every byte", async () => {
    const log = new Log();
    await vrun(function* () {
      const { uart, port } = open();
      port.peer.send("0123456789", { chunking: [1] });
      const r = yield* moveOnAfter(5.5, function* () { return yield* uart.reader.readExactly(10); });
      log.add(`timedOut ${r.timedOut} buffered ${uart.reader.available}`);
      log.add(text(yield* failAfter(100, function* () { return yield* uart.reader.readExactly(10); })));
    });
    assert.deepEqual(log.items, ["timedOut true buffered 5@5.5", "0123456789@10"]);
  });

  it("a reader woken by arriving bytes but cancelled before it ran consumes nothing", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const { uart, port } = open();
      const clock = new SimClock();
      const a = spawn(function* () { try { yield* uart.reader.read(10); log.push("a read"); } catch (e) { log.push(`a ${(e as Error).name}`); } });
      port.peer.send("abc", { chunking: [3] }); // arrives at 3 ms; its callback wakes a
      clock.at(3, () => { log.push(`a is ${a.state}`); a.cancel(); }); // same instant, after the arrival
      yield* a.join();
      log.push(text(yield* uart.reader.read(10)));
    });
    assert.deepEqual(log, ["a is ready", "a CancelledError", "abc"]);
  });

  it("the writer never overruns the port and drain() completes when the last byte was handed over", async () => {
    const log = new Log();
    const data = new Uint8Array(1000);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    await vrun(function* () {
      const { uart, port } = open({ transmitBufferSize: 128 }); // 1 ms a byte, room announced every 16 bytes
      let last = 0;
      port.peer.onData(() => { last = now(); });
      const w = spawn(function* () { return yield* uart.writer.write(data); });
      yield* checkpoint();
      yield* uart.writer.drain();
      log.add(`drained ${yield* w.join()}`);
      yield* sleepMs(200);
      log.add(`wire done at ${last}`);
      assert.equal(firstDiff(port.peer.received(), data), -1);
      assert.equal(port.written, 1000);
    });
    // 128 bytes go at once; the last 872 need 55 chunks of 16 to leave first: 880 ms; the wire ends at 1000 ms
    assert.deepEqual(log.items, ["drained 1000@880", "wire done at 1000@1080"]);
  });

  it("a cancelled write reports the prefix it handed over; concurrent writes never interleave", async () => {
    const log = new Log();
    await vrun(async () => {
      const { uart, port } = open({ transmitBufferSize: 32 });
      const r = await moveOnAfter(20, async () => await uart.writer.write(new Uint8Array(100).fill(0x41)));
      log.add(`timedOut ${r.timedOut} sent ${uart.writer.lastSent}`); // 32 at once, then 16 at 16 ms
      await sleepMs(100);
      assert.equal(port.peer.received().length, 48);
      port.peer.clearReceived();
      const a = spawn(function* () { yield* uart.writer.write("a".repeat(50)); });
      const b = spawn(async () => { await uart.writer.write("b".repeat(50)); });
      await a.join();
      await b.join();
      await uart.writer.drain();
      log.add("drained");
      await sleepMs(100);
      assert.equal(port.peer.receivedText(), "a".repeat(50) + "b".repeat(50));
      assert.equal(uart.writer.writeNowait("xyz"), 3);
    });
    assert.deepEqual(log.items, ["timedOut true sent 48@20", "drained@200"]);
  });

  it("a writer woken by room but cancelled before it ran hands nothing more; writeSome returns what fit", async () => {
    const log = new Log();
    await vrun(function* () {
      const { uart, port } = open({ transmitBufferSize: 16 });
      const clock = new SimClock();
      const w = spawn(function* () { yield* uart.writer.write(new Uint8Array(32).fill(0x61)); });
      yield* sleepMs(1); // w handed 16 bytes at 0 and waits; the port's room event (armed at 0) fires at 16
      clock.at(16, () => { log.add(`w is ${w.state}`); w.cancel(); });
      try { yield* w.join(); } catch (e) { log.add(`w ${(e as Error).name} sent ${uart.writer.lastSent}`); }
      log.add(`writeSome ${yield* uart.writer.writeSome(new Uint8Array(40))} of 40`);
      yield* sleepMs(100);
      log.add(`peer got ${port.peer.received().length}`);
    });
    assert.deepEqual(log.items, ["w is ready@16", "w CancelledError sent 16@16", "writeSome 16 of 40@16", "peer got 32@116"]);
  });

  it("close() ends pending reads and writes with ClosedError; no callback fires afterwards", async () => {
    const log: string[] = [];
    await vrun(function* () {
      const { uart, port } = open({ transmitBufferSize: 8 });
      const names = (e: unknown): string => (e as Error).name;
      const r1 = spawn(function* () { try { yield* uart.reader.readLine(); } catch (e) { log.push(`readLine ${names(e)}`); } });
      const r2 = spawn(async () => { try { await uart.reader.read(5); } catch (e) { log.push(`read ${names(e)}`); } });
      const w = spawn(function* () { try { yield* uart.writer.write("0123456789abcdef"); } catch (e) { log.push(`write ${names(e)} after ${uart.writer.lastSent}`); } });
      port.peer.send("partial");
      yield* sleepMs(3);
      yield* sleepMs(2);
      uart.close();
      uart.close();
      for (const t of [r1, r2, w]) yield* t.join();
      port.peer.send("more");
      yield* sleepMs(50);
      try { yield* uart.reader.read(1); } catch (e) { log.push(`later ${names(e)}`); }
      try { yield* uart.writer.write("x"); } catch (e) { log.push(`later ${names(e)}`); }
      assert.ok(uart.isClosed && port.isClosed);
    });
    assert.deepEqual(log, ["readLine ClosedError", "read ClosedError", "write ClosedError after 8", "later ClosedError", "later ClosedError"]);
  });

  it("rejects bad arguments", async () => {
    await vrun(function* () {
      const { uart } = open({}, { bufferSize: 32 });
      assert.throws(() => uart.reader.readExactly(33), RangeError);
      assert.throws(() => uart.reader.read(0), RangeError);
      assert.throws(() => open({}, { bufferSize: 8, maxLine: 9 }), RangeError);
      assert.throws(() => uart.reader.readNowait(1), WouldBlock);
      uart.close();
      assert.throws(() => uart.reader.readNowait(1), ClosedError);
    });
  });
});

describe("HalfDuplex", () => {
  it("collects the reply of a slow device: lines spaced less than the quiet period", async () => {
    const log = new Log();
    await vrun(function* () {
      const { uart, port } = open();
      port.peer.respond("AT+CSQ", ["+CSQ: 20,0\r\n", "\r\n", "OK\r\n"], { delayMs: 30, gapMs: 40 });
      const modem = new HalfDuplex(uart, { quietMs: 50 });
      log.add(JSON.stringify(yield* modem.command("AT+CSQ")));
      assert.equal(port.peer.receivedText(), "AT+CSQ\r\n");
    });
    // command on the wire 0..8 ms; replies start at 38, 78, 118 and end at 50, 80, 122; quiet until 172
    assert.deepEqual(log.items, ['["+CSQ: 20,0","OK"]@172']);
  });

  it("a device that never answers gives [] after timeoutMs", async () => {
    const log = new Log();
    await vrun(async () => {
      const { uart } = open();
      const modem = new HalfDuplex(uart, { timeoutMs: 300 });
      log.add(JSON.stringify(await modem.command("AT+NOPE")));
    });
    assert.deepEqual(log.items, ["[]@300"]);
  });

  it("serialises concurrent commands and discards late replies of an earlier one", async () => {
    const log = new Log();
    await vrun(function* () {
      const { uart, port } = open();
      port.peer.respond("AT+SLOW", ["LATE\r\n"], { delayMs: 150 });
      port.peer.respond(/^AT\+ID/, (line) => [`ID ${line.slice(6)}\r\n`, "OK\r\n"], { delayMs: 5 });
      const modem = new HalfDuplex(uart, { quietMs: 20, timeoutMs: 100 });
      const a = spawn(function* () { log.add(`slow ${JSON.stringify(yield* modem.command("AT+SLOW"))}`); });
      const b = spawn(async () => { log.add(`id ${JSON.stringify(await modem.command("AT+ID=7"))}`); });
      yield* checkpoint();
      assert.equal(modem.waiting, 1);
      yield* a.join();
      yield* b.join();
      yield* sleepMs(100);
      assert.equal(uart.reader.available, 6); // "LATE\r\n" arrived after b's reply: left for the next command
      log.add(`next ${JSON.stringify(yield* modem.command("AT+ID=8", { timeoutMs: 50 }))}`);
    });
    // slow: handed to the port at 0, no line within 100 ms. id: handed at 100, on the wire until 109;
    // "ID 7\r\n" 114..120, "OK\r\n" 120..124; quiet until 144. LATE: seen at 9, sent 159..165, buffered.
    // next: at 244 (discarding LATE), on the wire until 253, replies 258..264..268, quiet until 288
    assert.deepEqual(log.items, ["slow []@100", 'id ["ID 7","OK"]@144', 'next ["ID 8","OK"]@288']);
  });
});
