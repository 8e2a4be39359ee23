import { ClosedError, checkpoint, current, spawn, type Gen, type Op, type Task, type TaskFn, nameErrorClass, pendingCancel, isGeneratorFunction } from "../sched/kernel";
import { Job } from "./jobs";
import type { Profiler } from "./profiler";
import { show } from "./time";
import { utf8Fit } from "../text/utf8";

/**
 * What a {@link LineIO}'s readLine throws for a line longer than it keeps: the line was refused whole
 * (nothing of it runs) and the stream goes on after its end of line. The console answers with the message.
 */
export class LineTooLongError extends RangeError {
  constructor(readonly bytes: number, readonly max: number) {
    super(`line too long (${bytes} bytes, max ${max})`);
  }
}
nameErrorClass(LineTooLongError, "LineTooLongError");

/**
 * A line-oriented text stream: what the console reads commands from and writes answers to. Adapters:
 * the console UART or USB serial on a device, stdin/stdout on Node, {@link MemoryLineIO} in tests.
 * `readLine` returns one line without its end-of-line and ends with ClosedError when the stream is closed
 * (LineTooLongError for a line it refused whole: the console answers it and reads on);
 * `write` may be called while a `readLine` is pending (from another task).
 */
export interface LineIO {
  readLine(): Op<string>;
  write(text: string): Op<void>;
}

/** What a command receives. */
export interface CommandContext {
  /** The words after the command name. */
  readonly args: string[];
  /** The rest of the line after the command name, as typed (for JSON or a regexp). */
  readonly rest: string;
  readonly io: LineIO;
  readonly console: Console;
}

/**
 * A command: a generator, async or plain function returning its answer (a string, lines, or anything
 * shown as JSON; undefined answers "ok"). Throwing answers `error: <message>` (no JS class name: the
 * message says what is wrong; an error without a message shows its name).
 */
export type CommandFn = (ctx: CommandContext) => Gen<unknown> | PromiseLike<unknown> | unknown;

/** Options of {@link Console}. */
export interface ConsoleOptions {
  /** Written before each command is read (default "": none). */
  prompt?: string;
  /** Written once when the console starts. */
  banner?: string;
  /** Longest accepted line in UTF-8 bytes (default 256); longer ones are refused whole with an error answer. */
  maxLine?: number;
  /**
   * Let the `eval` command evaluate JavaScript (default false). Even then it uses indirect eval
   * (global scope) and only if the engine has it (XS does unless built without it).
   */
  allowEval?: boolean;
  /**
   * Time every command's steps (as task `console/<name>`): one that runs longer than the profiler's stall
   * threshold without yielding is reported like any stalled task (a warning in the log, `top`).
   */
  profiler?: Profiler;
}

interface Command {
  readonly help: string;
  readonly fn: CommandFn;
  /** Most words the command takes after its name (Infinity: any, e.g. JSON or a regexp in `rest`). */
  readonly maxArgs: number;
}

/**
 * A line shell that runs as a task next to the application (asyncmd's aiorepl, the MoaT console): it
 * reads a line, runs the command in a child task, writes the answer, and goes on. Every line gets an
 * answer or a clear error, never a crash: unknown commands, bad arguments and failing commands answer
 * `error: ...`; blank lines answer nothing. The built-in commands are installed by ./commands (see
 * `createConsole` in ./index); firmware adds its own with {@link register}.
 *
 * Cancel: cancelling the console's task stops it (a running command is cancelled with it).
 * A closed stream ends the task normally. Memory: a Map of commands; a line and its answer at a time.
 * @example
 *   const con = new Console(io, { prompt: "> " });
 *   con.register("led", "led on|off: switch the LED", ({ args }) => { led.write(args[0] === "on" ? 1 : 0); });
 *   spawn("console", con.run);
 */
export class Console {
  readonly prompt: string;
  readonly maxLine: number;
  readonly allowEval: boolean;
  /** Lines handled so far. */
  lines = 0;
  /** The task running the console (null until it runs). */
  task: Task | null = null;
  /** Commands that answered with an error. */
  errors = 0;
  /** The task body: `spawn("console", con.run)` or `registry.add("console", con.run)`. */
  readonly run: () => Gen<void>;
  private readonly commands = new Map<string, Command>();
  private readonly banner: string | undefined;
  private readonly profiler: Profiler | undefined;

  constructor(readonly io: LineIO, opts: ConsoleOptions = {}) {
    this.prompt = opts.prompt ?? "";
    this.maxLine = opts.maxLine ?? 256;
    this.allowEval = opts.allowEval === true;
    this.banner = opts.banner;
    this.profiler = opts.profiler;
    const self = this;
    this.run = function* console(): Gen<void> {
      yield* self.loop();
    };
    this.register("help", "help [COMMAND]: list the commands, or show one", ({ args }) => this.help(args[0]), 1);
  }

  /**
   * Add (or replace) a command; `help` is its one-line description, usage first ("led [on|off]: ...").
   * `maxArgs`: the most words it takes after its name (default: any); a line with more is refused
   * (`error: too many arguments; usage: ...`) before the command runs, so nothing typed is half-run.
   */
  register(name: string, help: string, fn: CommandFn, maxArgs = Infinity): void {
    if (typeof name !== "string" || !/^[A-Za-z_][\w.-]*$/.test(name)) throw new TypeError(`bad command name ${JSON.stringify(name)}`);
    if (typeof fn !== "function") throw new TypeError("a command needs a function");
    if (!(maxArgs >= 0)) throw new RangeError("maxArgs is a count >= 0");
    this.commands.set(name, { help, fn, maxArgs });
  }

  /** Command names, sorted. */
  names(): string[] {
    return [...this.commands.keys()].sort();
  }

  /**
   * Run one input line and return the answer's lines. Never throws for anything the line contains;
   * only a cancel of the calling task goes through.
   */
  *execute(line: string): Gen<string[]> {
    this.lines++;
    if (typeof line !== "string") line = String(line);
    if (line.length > this.maxLine) {
      const bytes = utf8Fit(line, Infinity).bytes; // only for long lines: ASCII has one byte per character
      if (bytes > this.maxLine) return this.fail(new LineTooLongError(bytes, this.maxLine).message);
    }
    const text = line.trim();
    if (text === "") return [];
    const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
    const name = m[1]!;
    const rest = m[2]!;
    const cmd = this.commands.get(name);
    if (cmd === undefined) return this.fail(`unknown command ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + "..." : name)} (try help)`);
    const ctx: CommandContext = { args: rest === "" ? [] : rest.split(/\s+/), rest, io: this.io, console: this };
    if (ctx.args.length > cmd.maxArgs) {
      const usage = cmd.help.indexOf(": ") > 0 ? cmd.help.slice(0, cmd.help.indexOf(": ")) : name;
      return this.fail(`too many arguments (${name} takes ${cmd.maxArgs === 0 ? "none" : `at most ${cmd.maxArgs}`}); usage: ${usage}`);
    }
    // Each command runs as a child task, waited for without passing a cancel on: a CancelledError
    // that reaches us while the child still runs is the console's own cancel; any other is the answer.
    const child = spawn(`${current().name}/${name}`, this.timed(name, cmd.fn), ctx);
    const job = new Job(0, child.name, child, child.sched.now());
    child.sched.watch(child, job);
    let r: unknown;
    try {
      r = yield* job.get();
    } catch (e) {
      if (!child.done) {
        child.cancel();
        throw e;
      }
      if (pendingCancel(current()) !== null) throw e; // the console itself is stopped (by this very command, say)
      return this.fail(e instanceof Error ? (e.message !== "" ? e.message : e.name) : `thrown: ${show(e)}`);
    }
    return answer(r);
  }

  /** The command under the profiler, if there is one: generator steps, or the call of a plain function. */
  private timed(name: string, fn: CommandFn): TaskFn {
    const p = this.profiler;
    if (p === undefined) return fn as TaskFn;
    const label = `console/${name}`;
    if (isGeneratorFunction(fn)) return p.wrap(label, fn as (ctx: CommandContext) => Gen<unknown>) as TaskFn;
    return ((ctx: CommandContext) => p.time(label, () => fn(ctx))) as TaskFn;
  }

  private fail(msg: string): string[] {
    this.errors++;
    return [`error: ${msg}`];
  }

  private help(name?: string): string[] {
    if (name !== undefined) {
      const c = this.commands.get(name);
      if (c === undefined) throw new TypeError(`no command ${JSON.stringify(name)}`);
      return [c.help];
    }
    return this.names().map((n) => this.commands.get(n)!.help);
  }

  private *loop(): Gen<void> {
    const io = this.io;
    this.task = current();
    if (this.banner !== undefined) yield* io.write(this.banner + "\n");
    for (;;) {
      if (this.prompt !== "") yield* io.write(this.prompt);
      let line: string;
      let out: string[];
      try {
        line = yield* io.readLine();
        out = yield* this.execute(line);
      } catch (e) {
        if (e instanceof ClosedError || (e instanceof Error && e.name === "ClosedError")) return;
        // by name: UartReader.readLine (drivers/uart) throws its own LineTooLongError for the same case
        if (!(e instanceof Error && e.name === "LineTooLongError")) throw e;
        this.lines++;
        out = this.fail(e.message);
      }
      // a line at a time, with a checkpoint between: on a device, formatting and encoding a long answer
      // in one step kept the loop busy for 200 ms
      for (let i = 0; i < out.length; i++) {
        yield* io.write(out[i] + "\n");
        yield* checkpoint();
      }
    }
  }
}

function answer(r: unknown): string[] {
  if (r === undefined) return ["ok"];
  if (typeof r === "string") return r.split("\n");
  if (Array.isArray(r) && r.every((x) => typeof x === "string")) return r.length === 0 ? ["(nothing)"] : (r as string[]);
  return [show(r, 1000)];
}
