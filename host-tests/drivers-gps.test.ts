import { assert } from "./lib/assert";
import { Log, vrun } from "./helpers";
import { ClosedError, failAfter, now, sleepMs, spawn } from "../firmware/sched/index";
import { StatsBoard } from "../firmware/control/stats";
import { Uart } from "../drivers/uart/index";
import { Gps, NMEA_BAD, coordinate, dateMs, nmeaChecksum, nmeaSentence, splitSentence, timeOfDayMs } from "../drivers/gps/index";
import { SimGps } from "../sim/gps";
import { SimSerialPort } from "../sim/serial";
import { SimClock } from "../sim/time";

/** A GPS on a simulated 9600-baud UART, and the module on its far end. */
function rig(options: ConstructorParameters<typeof SimGps>[2] = {}, staleMs?: number) {
  const uart = new Uart(SimSerialPort, { baud: 9600 }, { bufferSize: 256, maxLine: 128 });
  const port = uart.serial as SimSerialPort;
  const sim = new SimGps(port, new SimClock(), options);
  const gps = new Gps(staleMs === undefined ? { uart } : { uart, staleMs });
  return { uart, port, sim, gps };
}

const round = (v: number, d = 5): number => Math.round(v * 10 ** d) / 10 ** d;

describe("NMEA parsing", () => {
  it("verifies checksums and splits fields; reads coordinates, times and dates", () => {
    const classic = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n";
    assert.equal(nmeaChecksum(classic, 1, classic.indexOf("*")), 0x47);
    const f = splitSentence(classic);
    assert.deepEqual(f, ["GPGGA", "123519", "4807.038", "N", "01131.000", "E", "1", "08", "0.9", "545.4", "M", "46.9", "M", "", ""]);
    assert.equal(nmeaSentence("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"), classic);
    assert.equal(splitSentence(classic.replace("*47", "*48")), NMEA_BAD.CHECKSUM);
    assert.equal(splitSentence(classic.replace("4807", "4808")), NMEA_BAD.CHECKSUM);
    for (const bad of ["GPGGA,1*47", "$GPGGA,123519", "$GPGGA,12\u00013519*47", "$GPGGA,1*4G", "", "$*00", "$GPGGA,12$3*47"]) assert.equal(splitSentence(bad), NMEA_BAD.FORMAT, bad);
    assert.equal(round(coordinate("4807.038", "N", 90)), 48.1173);
    assert.equal(round(coordinate("01131.000", "W", 180)), -11.51667);
    assert.equal(round(coordinate("3345.0", "S", 90)), -33.75);
    for (const [v, h] of [["", "N"], ["4807.038", ""], ["4861.0", "N"], ["9100.0", "N"], ["x", "E"], ["-100", "N"]]) assert.ok(Number.isNaN(coordinate(v, h, 90)), `${v},${h}`);
    assert.equal(timeOfDayMs("123519.25"), ((12 * 60 + 35) * 60 + 19.25) * 1000);
    assert.ok(Number.isNaN(timeOfDayMs("2460000")) && Number.isNaN(timeOfDayMs("12")) && Number.isNaN(timeOfDayMs(undefined)));
    assert.equal(dateMs("061226"), Date.UTC(2026, 11, 6));
    assert.equal(dateMs("010199"), Date.UTC(1999, 0, 1));
    assert.ok(Number.isNaN(dateMs("321226")) && Number.isNaN(dateMs("0612")));
  });
});

describe("SimGps", () => {
  it("sends RMC, VTG, GGA and two GSV at every whole second, in the emulator's formats", async () => {
    await vrun(function* () {
      const { port, sim } = rig({ speedKnots: 0 });
      const burst = sim.burst(1000);
      assert.deepEqual(burst.map((s) => s.slice(0, 6)), ["$GPRMC", "$GPVTG", "$GPGGA", "$GPGSV", "$GPGSV"]);
      assert.equal(burst[0], nmeaSentence("GPRMC,120001.00,A,5130.0420,N,00007.4760,W,0.000,,061226,,,A"));
      assert.equal(burst[2], nmeaSentence("GPGGA,120001.00,5130.0420,N,00007.4760,W,1,07,1.01,35.0,M,47.0,M,,"));
      for (const s of burst) assert.ok(Array.isArray(splitSentence(s)), s);
      sim.start();
      yield* sleepMs(3500);
      assert.equal(sim.bursts, 3);
      assert.equal(port.peer !== null, true);
    });
  });
});

describe("Gps", () => {
  it("gets a fix from the first burst, tracks position, course, speed, time and date, counts sentences", async () => {
    const log = new Log();
    await vrun(function* () {
      const { sim, gps } = rig({ speedKnots: 12, course: 90 });
      sim.start();
      const fix = yield* gps.waitFix();
      log.add(`fix ${round(fix.latitude)},${round(fix.longitude)} q${fix.quality}`);
      assert.equal(new Date(fix.utcMs).toISOString(), "2026-12-06T12:00:01.000Z");
      yield* sleepMs(1000 - (now() % 1000) + 600); // after the second burst
      log.add(`lat ${round(gps.latitude)} lon ${round(gps.longitude)} course ${gps.course} kn ${gps.speedKnots} kmh ${round(gps.speedKmh, 3)} alt ${gps.altitude} used ${gps.satellitesInUse} view ${gps.satellitesInView} hdop ${gps.hdop}`);
      assert.equal(new Date(gps.utcMs).toISOString(), "2026-12-06T12:00:02.516Z");
      const s = gps.stats();
      assert.deepEqual([s.sentences, s.rmc, s.vtg, s.gga, s.gsv, s.badChecksum, s.malformed, s.fixesGained, s.fixesLost], [10, 2, 2, 2, 4, 0, 0, 1, 0]);
      gps.close();
    });
    // 12 kn east for 1 s: 6.17 m = 0.0000891 degrees of longitude at 51.5 N
    assert.deepEqual(log.items, [
      "fix 51.5007,-0.12451 q1@1083.333",
      "lat 51.5007 lon -0.12442 course 90 kn 12 kmh 22.224 alt 35 used 7 view 8 hdop 1.01@2600",
    ]);
  });

  it("loses and regains the fix, counts corrupted sentences and silence, never throws", async () => {
    const log = new Log();
    let stats: ReturnType<Gps["stats"]> | undefined;
    await vrun(function* () {
      const { sim, gps } = rig();
      sim.start();
      spawn(function* () {
        let had = false;
        for (;;) {
          yield* gps.waitData();
          if (gps.hasFix !== had) log.add((had = gps.hasFix) ? "fix" : "lost");
        }
      });
      yield* sleepMs(3500);
      sim.fix = false;
      yield* sleepMs(3000);
      sim.fix = true;
      yield* sleepMs(2000);
      sim.corrupt(2); // the 9 s burst's RMC and VTG
      yield* sleepMs(2000);
      sim.silent = true; // from the 11 s burst on
      yield* sleepMs(2000);
      log.add(`hasFix ${gps.hasFix} age ${Math.round(gps.ageMs)}`);
      sim.silent = false;
      yield* gps.waitFix();
      log.add("fix again");
      stats = gps.stats();
      gps.close();
    });
    assert.deepEqual(log.items, ["fix@1083.333", "lost@4050", "fix@7083.333", "hasFix false age 2174@12500", "fix again@13083.333"]);
    assert.deepEqual(
      [stats!.badChecksum, stats!.fixesLost, stats!.fixesGained, stats!.silences, stats!.malformed],
      [2, 2, 3, 1, 0],
    );
  });

  it("counts malformed lines, over-long lines and unknown sentence types, and goes on", async () => {
    await vrun(function* () {
      const { port, gps } = rig();
      port.peer.send("garbage\r\n");
      port.peer.send("$GPRMC,120000,X,,,,,,,,*" + "00\r\n");
      port.peer.send(nmeaSentence("GPRMC,120000.00,Q,,,,,,,061226,,,N"));
      port.peer.send(nmeaSentence("GPGSA,A,3,01,02,,,,,,,,,,,1.0,1.0,1.0"));
      port.peer.send("$GPTXT," + "x".repeat(200) + "*00\r\n");
      port.peer.send(nmeaSentence("GNGLL,5130.0420,N,00007.4760,W,120000.00,A,A"));
      const fix = yield* failAfter(2000, () => gps.waitFix());
      assert.equal(round(fix.latitude), 51.5007);
      const s = gps.stats();
      assert.deepEqual([s.malformed, s.badChecksum, s.ignored, s.gll, s.sentences], [3, 1, 1, 1, 1]);
      gps.close();
    });
  });

  it("waitFix and waitData work in async tasks; waits end with ClosedError at close(); bad options are errors", async () => {
    const log = new Log();
    await vrun(async () => {
      const { sim, gps } = rig();
      sim.start();
      const fix = await gps.waitFix();
      log.add(`async fix ${round(fix.latitude)}`);
      log.add(`data ${round(await gps.waitData(), 3)}`);
      await sleepMs(1500 - now());
      sim.stop();
      const waiter = spawn(async () => {
        try {
          await gps.waitData();
        } catch (e) {
          log.add(`${(e as Error).name}`);
        }
      });
      await sleepMs(100);
      gps.close();
      gps.close();
      await waiter.join();
      assert.throws(() => gps.waitFix(), ClosedError);
      assert.throws(() => gps.waitData(), ClosedError);
      assert.throws(() => new Gps({} as never), /Gps needs options/);
      assert.throws(() => new Gps({ uart: {} as never }), /must be a Uart/);
      assert.throws(() => new Gps({ Serial: SimSerialPort, serial: { baud: 9600 }, staleMs: 0 }), /staleMs must be a number > 0, got 0/);
    });
    assert.deepEqual(log.items, ["async fix 51.5007@1083.333", "data 1116.667@1116.667", "ClosedError@1600"]);
  });

  it("opens its own UART at 9600 baud when given the Serial class, closes it, and lists its counters on the stats board", async () => {
    await vrun(function* () {
      const gps = new Gps({ Serial: SimSerialPort, serial: { port: 2 } });
      const port = gps.uart.serial as SimSerialPort;
      assert.equal(port.baud, 9600);
      new SimGps(port, new SimClock()).start();
      yield* gps.waitFix();
      const board = new StatsBoard();
      board.attach("gps", gps);
      assert.match(board.lines()[0]!, /^gps sentences=1 rmc=1 gga=0 vtg=0 gsv=0 gll=0 ignored=0 badChecksum=0 malformed=0 fixesLost=0 fixesGained=1 silences=0 overflowed=0 waiting=0$/);
      gps.close();
      assert.equal(gps.uart.isClosed, true);
    });
  });
});
