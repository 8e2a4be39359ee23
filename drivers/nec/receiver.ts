import type { DigitalConstructor } from "../../firmware/platform/io";
import { spawn, isCancelled, currentTask, type Op, sleepMs, type Gen, type Task } from "../../firmware/sched/kernel";
import { RingbufQueue } from "../../firmware/sync/ringbuf";
import { PinEdges } from "../pin/edges";
import type { EdgeCapture } from "../../firmware/platform/edges";
import { FRAME_EDGES, NEC, decodeNec, type NecCode } from "./decode";

/** Options for {@link NecReceiver}. */
export interface NecReceiverOptions {
  /** The Digital class (`device.io.Digital`, or the simulated pins' `Digital`). */
  Digital: DigitalConstructor;
  /** The pin the IR receiver module's output is wired to (active low, idles high). */
  pin: number;
  /** Input mode (default `Digital.InputPullUp`). */
  mode?: number;
  /** Accept 16-bit addresses (extended NEC). Default false: a mismatched ~address is BADADDR. */
  extended?: boolean;
  /**
   * µs clock read in the pin callback (default: the scheduler clock); the same clock times the frame. Where
   * the platform captures edges (PinEdges `captured`), the capture's clock is used instead.
   */
  nowUs?: () => number;
  /** The edge capture (default: the platform's for this Digital class; null: the JS pin callback path). See PinEdges. */
  capture?: EdgeCapture | null;
  /** Called with every result (codes and errors) from the receiver's task. Exceptions are reported, not raised. */
  onCode?: (code: NecCode) => void;
  /** Results kept for next() / async iteration (default 8; the oldest are overwritten and counted). */
  queue?: number;
}

/**
 * The queue of a receiver's results, which `next()` waits on: a class of its own so that a listing can name
 * that wait (`traceLabel(NecResults.prototype, "IR frame")`; the demo does).
 */
export class NecResults extends RingbufQueue<NecCode> {}

/**
 * NEC IR remote receiver on the pin-edge driver: each edge comes with its µs timestamp (taken where it
 * happened if the platform captures edges, else in the pin callback: see PinEdges); the
 * receiver's task waits for the first edge of a burst, sleeps until the burst must be over (73 ms after
 * its first edge, 80 ms for extended frames, measured from the edge's timestamp, so a busy scheduler
 * does not shift it), then decodes from the timestamps. Results (commands, repeats and errors: REPEAT,
 * BADSTART, BADBLOCK, BADREP, OVERRUN, BADDATA, BADADDR) are values delivered to `onCode` and to
 * `next()` / async iteration; nothing is thrown into the scheduler.
 *
 * Construct it inside a task (it starts its own task). `close()` stops it and releases the pin.
 * Memory: PinEdges with a 72-edge ring (~650 B), a Float64Array of 72 timestamps, a small result queue,
 * and one task.
 * @example
 *   const ir = new NecReceiver({ Digital: device.io.Digital, pin: 16, extended: true });
 *   for (;;) { const r = yield* ir.next(); if (r.code >= 0) trace(`key ${r.command} from ${r.address}\n`); }
 */
export class NecReceiver {
  /** Results not yet read with next(); `results.stats().overwritten` counts those dropped. */
  readonly results: NecResults;
  /** Bursts decoded so far (valid or not). */
  bursts = 0;
  /** Bursts decoded as a frame, as a repeat code, and as an error (bad timing, truncated, overrun...). */
  frames = 0;
  repeats = 0;
  errors = 0;
  private readonly edges: PinEdges;
  private readonly times = new Float64Array(FRAME_EDGES + 4);
  private readonly nowUs: () => number;
  private readonly blockMs: number;
  private readonly extended: boolean;
  private readonly onCode: ((code: NecCode) => void) | null;
  private readonly task: Task;
  private last: NecCode | null = null;

  constructor(options: NecReceiverOptions) {
    const t = currentTask();
    const s = t.sched;
    this.extended = options.extended === true;
    this.blockMs = this.extended ? 80 : 73;
    this.onCode = options.onCode ?? null;
    this.results = new NecResults(options.queue ?? 8);
    this.edges = new PinEdges({
      Digital: options.Digital,
      pin: options.pin,
      mode: options.mode ?? options.Digital.InputPullUp,
      nowUs: options.nowUs ?? ((): number => Math.round(s.now() * 1000)),
      capacity: FRAME_EDGES + 4,
      ...(options.capture !== undefined ? { capture: options.capture } : {}),
    });
    const edges = this.edges;
    this.nowUs = () => edges.nowUs();
    this.task = spawn("nec-ir", run, this);
  }

  /** Wait for the next result (a command, a repeat or an error code). */
  next(): Op<NecCode> {
    return this.results.get();
  }

  /** Async iteration over results. */
  [Symbol.asyncIterator](): AsyncIterator<NecCode> {
    return this.results[Symbol.asyncIterator]();
  }

  /** Counters: bursts, frames, repeats, errors, edge-buffer overruns, results dropped unread. */
  stats(): { bursts: number; frames: number; repeats: number; errors: number; overruns: number; dropped: number } {
    return { bursts: this.bursts, frames: this.frames, repeats: this.repeats, errors: this.errors, overruns: this.edges.overruns, dropped: this.results.stats().overwritten };
  }

  /** Stop decoding and release the pin. Safe twice. */
  close(): void {
    this.task.cancel();
    this.edges.close();
  }

  /** @internal one burst: first edge in, wait out the frame, decode */
  *burst(): Gen<void> {
    const first = yield* this.edges.next();
    const lost = this.edges.overruns;
    const times = this.times;
    times[0] = first.us;
    const lateMs = (this.nowUs() - first.us) / 1000;
    yield* sleepMs(this.blockMs - lateMs);
    this.edges.drain(); // edges the capture holds but has not handed over yet (no-op on the JS callback path)
    let n = 1;
    for (let e = this.edges.tryNext(); e !== null; e = this.edges.tryNext()) {
      if (n < times.length) times[n] = e.us;
      n++;
    }
    const r = this.edges.overruns !== lost ? { code: NEC.OVERRUN, address: -1, command: -1 } : decodeNec(times, n, this.extended, this.last);
    if (r.code >= 0) this.last = r;
    this.bursts++;
    if (r.code >= 0) this.frames++;
    else if (r.code === NEC.REPEAT) this.repeats++;
    else this.errors++;
    this.deliver(r);
  }

  private deliver(r: NecCode): void {
    this.results.put(r);
    if (this.onCode !== null) {
      try {
        this.onCode(r);
      } catch (e) {
        this.task.sched.report(e, { task: this.task, message: "NEC onCode callback failed" });
      }
    }
  }
}

function* run(rx: NecReceiver): Gen<void> {
  try {
    for (;;) yield* rx.burst();
  } catch (e) {
    if (!isCancelled(e) && !(e instanceof Error && e.name === "ClosedError")) throw e;
  }
}
