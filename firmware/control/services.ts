import { InvalidStateError, callLater, spawn, type CallbackHandle, type Gen, type Op, type TaskFn } from "../sched/kernel";
import { schedNow } from "./clock";
import { invoke } from "./invoke";
import { jsonProblem } from "./json-args";
import { getJSON, setJSON, type Prefs } from "./prefs";
import type { Controlled, ControlledOwner, TaskRegistry } from "./registry";
import type { RingLog } from "./ringlog";
import { formatDuration, formatStamp, show, traceback } from "./time";

/** When a service's tasks are started again by themselves (systemd's `Restart=`). */
export type RestartPolicy = "never" | "on-failure" | "always";

/** What a service declares. */
export interface ServiceDef {
  /** Unique name (keep it to 15 characters if its configuration is stored in Moddable's Preference). */
  name: string;
  description?: string;
  /** Services that must be active before this one starts. */
  requires?: string[];
  /** Runs to completion (with the arguments) before the tasks start; a throw fails the service. */
  init?: TaskFn;
  /** The service's task(s), each called with the arguments: one function (task named like the service) or several by key (tasks `<name>.<key>`). */
  tasks?: TaskFn | Record<string, TaskFn>;
  /** Default arguments (a stored configuration replaces them). */
  args?: unknown[];
  /**
   * Checks arguments before they are stored or used: throw (a RangeError or TypeError with a one-line
   * message) to refuse them. Called by setArgs, for stored arguments at add(), and for a task restarted
   * with new arguments.
   */
  validate?: (args: unknown[]) => void;
  /** Start at boot (default true; a stored configuration replaces it). */
  enabled?: boolean;
  /**
   * Start it again when it fails ("on-failure": an init or a task threw) or whenever its tasks end
   * ("always": also when they all return). Default "never". A service stopped by an operator (service
   * stop, or a stop of one of its tasks) is never restarted.
   */
  restart?: RestartPolicy;
  /** First delay before a restart (ms, default 1000); it doubles after each failure in a row... */
  restartMs?: number;
  /** ...up to this (ms, default 60000). A run that lasted this long resets the delay to restartMs. */
  restartMaxMs?: number;
  /**
   * Start limit (systemd's StartLimitBurst / StartLimitIntervalSec): a service that would be restarted
   * more than `startLimitBurst` times (default 5) within `startLimitIntervalMs` (default 10 minutes) is
   * left failed ("start limit hit"), until an operator starts it.
   */
  startLimitBurst?: number;
  startLimitIntervalMs?: number;
}

/** Where a service is. */
export type ServicePhase = "inactive" | "disabled" | "blocked" | "starting" | "active" | "restarting" | "failed" | "stopped";

function positive(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !(v > 0)) throw new RangeError(`${what} must be a number > 0, got ${String(v)}`);
  return v;
}

/** A registered service and its runtime state. */
export class Service {
  phase: ServicePhase = "inactive";
  /** Why it is blocked, stopped or failed (one line). */
  reason = "";
  /** What failed last (an init's or a task's error), kept after a restart. */
  error: unknown = undefined;
  enabled: boolean;
  args: unknown[];
  startedAt = 0;
  /** Its tasks in the registry (after the first start). */
  readonly tasks: Controlled[] = [];
  readonly policy: RestartPolicy;
  readonly restartMs: number;
  readonly restartMaxMs: number;
  readonly startLimitBurst: number;
  readonly startLimitIntervalMs: number;
  /** Automatic restarts so far, and failures (init or task). */
  restarts = 0;
  failures = 0;
  /** The last failure: when (scheduler ms; NaN if none) and what (one line, with the task's name). */
  lastFailureAt = NaN;
  lastFailure = "";
  /** When the pending automatic restart is due (NaN if none). */
  restartAt = NaN;
  /** @internal the next restart delay (ms) */ delayMs: number;
  /** @internal times of the recent automatic restarts (the start limit's window) */ readonly recent: number[] = [];
  /** @internal */ timer: CallbackHandle | null = null;
  /** @internal the service whose stop stopped this one ("" if none) */ stoppedWith = "";
  constructor(readonly def: ServiceDef) {
    this.enabled = def.enabled ?? true;
    this.args = def.args ?? [];
    const p = def.restart ?? "never";
    if (p !== "never" && p !== "on-failure" && p !== "always") throw new TypeError(`service ${def.name}: restart is "never", "on-failure" or "always", got ${JSON.stringify(p)}`);
    this.policy = p;
    this.restartMs = positive(def.restartMs, 1000, "restartMs");
    this.restartMaxMs = Math.max(this.restartMs, positive(def.restartMaxMs, 60000, "restartMaxMs"));
    this.startLimitBurst = positive(def.startLimitBurst, 5, "startLimitBurst");
    this.startLimitIntervalMs = positive(def.startLimitIntervalMs, 600000, "startLimitIntervalMs");
    this.delayMs = this.restartMs;
  }
  get name(): string {
    return this.def.name;
  }
  get requires(): string[] {
    return this.def.requires ?? [];
  }
  /** The phase (the manager keeps it true: it hears of every start and end of the service's tasks). */
  get state(): ServicePhase {
    return this.phase;
  }
  /** Running: active with a task that still runs. */
  get running(): boolean {
    return this.phase === "active" && this.tasks.some((c) => c.state === "running");
  }
  /** The traceback of the last failure, as lines. */
  get traceback(): string[] {
    if (this.error === undefined) return [];
    const t = this.tasks.find((c) => c.state === "failed");
    return t !== undefined ? [`task ${t.name}:`, ...t.traceback] : traceback(this.error);
  }
}

/** What boot() did, in order. */
export interface BootReport {
  /** `[ OK ] ...`, `[ FAILED ] ...`, `[ SKIP ] ...` lines, in boot order. */
  lines: string[];
  started: string[];
  failed: string[];
  /** Not started: disabled, or a dependency is not active. */
  skipped: string[];
}

/** Options of {@link ServiceManager}. */
export interface ServiceManagerOptions {
  /** Where configuration (enabled, arguments) is kept; default: nowhere (defaults only). */
  prefs?: Prefs;
  /** Preference domain (default "svc"; one key per service). */
  domain?: string;
  /** Where boot results and failures are logged (tag "services"). */
  log?: RingLog;
}

/**
 * Services (asyncmd's aioservice, systemd-like): each declares its dependencies, an optional init, its
 * task(s), default arguments, how to check them, and a restart policy. `boot()` starts the enabled ones in
 * dependency order (a topological order; a cycle is an error naming it, before anything starts). A service
 * whose init throws is `failed` (with its traceback) and the services that require it are not started
 * (`blocked`, with the reason) until it comes up. At run time: list, status, enable/disable (stored; used at
 * the next boot), setArgs (checked, then stored), start, stop, restart.
 *
 * The state is true however a task ends: the manager is told of every start and end of its tasks. A task
 * that fails fails the service (its other tasks are stopped); a task stopped by an operator stops the
 * service; when all tasks return, the service is `active (exited)`. A failed service is started again per
 * its policy after a delay that doubles up to a cap, unless it hit its start limit; a service stopped by an
 * operator stays stopped. Services blocked on one that comes back are started with it.
 *
 * Configuration is stored per service as a JSON string `{"enabled":bool,"args":[...]}` in the Prefs domain.
 * Cancel: cancelling a boot()/start() cancels the init in progress; services already started stay up.
 * Memory: a Service object (~25 fields) per service plus its registry entries; a pending restart is a
 * callLater entry.
 * @example
 *   const sm = new ServiceManager(reg, { prefs: new MemoryPrefs() });
 *   sm.add({ name: "net", tasks: wifi, args: ["ssid"], restart: "on-failure" });
 *   sm.add({ name: "mqtt", requires: ["net"], tasks: { rx: mqttRx, tx: mqttTx } });
 *   const report = yield* sm.boot();
 */
export class ServiceManager {
  private readonly services = new Map<string, Service>();
  private readonly prefs: Prefs | undefined;
  private readonly domain: string;
  private readonly log: RingLog | undefined;

  constructor(readonly registry: TaskRegistry, opts: ServiceManagerOptions = {}) {
    this.prefs = opts.prefs;
    this.domain = opts.domain ?? "svc";
    this.log = opts.log;
  }

  /** Register a service; its stored configuration (if any, and if its arguments pass `validate`) replaces the defaults. */
  add(def: ServiceDef): Service {
    if (def === null || typeof def !== "object" || typeof def.name !== "string" || def.name === "") throw new TypeError("a service needs a name");
    if (this.services.has(def.name)) throw new InvalidStateError(`service ${def.name} is already registered`);
    const s = new Service(def);
    if (this.prefs !== undefined) {
      const cfg = getJSON(this.prefs, this.domain, def.name) as { enabled?: unknown; args?: unknown } | undefined;
      if (cfg !== undefined && cfg !== null && typeof cfg === "object") {
        if (typeof cfg.enabled === "boolean") s.enabled = cfg.enabled;
        if (Array.isArray(cfg.args)) {
          const why = check(def, cfg.args as unknown[]);
          if (why === null) s.args = cfg.args as unknown[];
          else this.log?.warn(`${def.name}: stored arguments ${show(cfg.args)} refused (${why}); using the defaults`, "services");
        }
      }
    }
    if (!s.enabled) s.phase = "disabled";
    this.services.set(def.name, s);
    return s;
  }

  get(name: string): Service | undefined {
    return this.services.get(name);
  }

  /** Every service, in registration order. */
  all(): Service[] {
    return [...this.services.values()];
  }

  /** The boot order (dependencies first; registration order among equals). Throws on a cycle. */
  order(): Service[] {
    const out: Service[] = [];
    const mark = new Map<string, number>(); // 1 visiting, 2 done
    const visit = (s: Service, path: string[]): void => {
      const m = mark.get(s.name);
      if (m === 2) return;
      if (m === 1) {
        const cyc = path.slice(path.indexOf(s.name)).concat(s.name);
        throw new InvalidStateError(`service dependency cycle: ${cyc.join(" -> ")}`);
      }
      mark.set(s.name, 1);
      for (const r of s.requires) {
        const d = this.services.get(r);
        if (d !== undefined) visit(d, path.concat(s.name));
      }
      mark.set(s.name, 2);
      out.push(s);
    };
    for (const s of this.services.values()) visit(s, []);
    return out;
  }

  /**
   * Start every enabled service in dependency order. Returns a report; never throws for a failing
   * service (only for a dependency cycle, before anything starts).
   */
  boot(): Op<BootReport> {
    const order = this.order();
    return spawn("services.boot", () => this.bootGen(order)).join();
  }

  /**
   * Start one service (its dependencies must be active), and the services stopped with it. An operator's
   * start: it clears the start limit and the restart delay. Returns the names started (this one first).
   * Throws its init's error.
   */
  start(name: string): Op<string[]> {
    const s = this.need(name);
    return spawn(`services.start`, function* (self: ServiceManager): Gen<string[]> {
      self.cancelRestart(s);
      s.recent.length = 0;
      s.delayMs = s.restartMs;
      yield* self.startGen(s, true);
      return [s.name, ...(yield* self.startDependents(s))];
    }, this).join();
  }

  /** Stop, then start (as {@link stop} and {@link start}); returns the names started. */
  restart(name: string): Op<string[]> {
    this.stop(name);
    return this.start(name);
  }

  /**
   * Stop a service's tasks (or its pending restart), after stopping the services that require it; returns
   * the names stopped. A stopped service stays stopped until started.
   */
  stop(name: string): string[] {
    const s = this.need(name);
    const stopped: string[] = [];
    const dependents = new Set<string>([s.name]);
    for (const x of this.order()) if (x.requires.some((r) => dependents.has(r))) dependents.add(x.name);
    for (const x of this.order().reverse()) {
      if (!dependents.has(x.name) || (x.phase !== "active" && x.phase !== "starting" && x.phase !== "restarting")) continue;
      this.cancelRestart(x);
      x.phase = "stopped"; // first: the ends of its tasks are then not failures
      x.reason = x === s ? "stopped" : `stopped with ${s.name}`;
      x.stoppedWith = x === s ? "" : s.name;
      for (const c of x.tasks) if (c.state === "running") this.registry.stop(c.name);
      stopped.push(x.name);
    }
    if (stopped.length > 0) this.log?.info(`stopped: ${stopped.join(", ")}`, "services");
    return stopped;
  }

  /** Start at boot from now on (stored). */
  enable(name: string): void {
    const s = this.need(name);
    s.enabled = true;
    if (s.phase === "disabled") s.phase = "inactive";
    this.save(s);
  }

  /** Do not start at boot (stored); a running service keeps running until stopped. */
  disable(name: string): void {
    const s = this.need(name);
    s.enabled = false;
    if (s.phase === "inactive") s.phase = "disabled";
    this.save(s);
  }

  /**
   * Replace a service's arguments (checked, then stored; used at its next start). Refused: anything but
   * plain JSON data with finite numbers (what is stored must read back the same), and any arguments for a
   * service that declares neither `args` nor `validate` (it takes none); then its `validate` decides.
   */
  setArgs(name: string, args: unknown[]): void {
    if (!Array.isArray(args)) throw new TypeError("service arguments must be an array");
    const s = this.need(name);
    const bad = jsonProblem(args);
    if (bad !== null) throw new RangeError(`${name}: arguments refused: ${bad}`);
    if (s.def.validate === undefined && (s.def.args ?? []).length === 0 && args.length > 0) throw new RangeError(`${name}: takes no arguments`);
    const why = check(s.def, args);
    if (why !== null) throw new RangeError(`${name}: arguments ${show(args)} refused: ${why}`);
    s.args = args;
    this.save(s);
  }

  /** Go back to the declared default arguments (stored; used at the next start). */
  resetArgs(name: string): void {
    const s = this.need(name);
    s.args = (s.def.args ?? []).slice();
    this.save(s);
  }

  /** One line per service: mark, name, description, enabled, state, restarts. */
  list(): string[] {
    return this.all().map((s) => {
      const n = s.restarts > 0 ? `, ${s.restarts} restart${s.restarts === 1 ? "" : "s"}` : "";
      return `${mark(s)} ${s.name}${s.def.description ? ` - ${s.def.description}` : ""} [${s.enabled ? "enabled" : "disabled"}] ${this.activeText(s)}${n}`;
    });
  }

  /** systemd-style status of one service. */
  status(name: string, wallAtNow?: number): string[] {
    const s = this.need(name);
    const now = schedNow();
    const out = [`${mark(s)} ${s.name}${s.def.description ? ` - ${s.def.description}` : ""}`];
    out.push(`    Loaded: ${s.enabled ? "enabled" : "disabled"}`);
    let active = `    Active: ${this.activeText(s)}`;
    if (s.state === "active") active += ` since ${formatStamp(s.startedAt, now, wallAtNow)}; ${formatDuration(now - s.startedAt)} ago`;
    out.push(active);
    if (s.requires.length > 0) out.push(`    Requires: ${s.requires.join(", ")}`);
    out.push(`    Args: ${show(s.args)}`);
    if (s.policy !== "never") {
      out.push(`    Restart: ${s.policy} (after ${formatDuration(s.restartMs)}, doubling up to ${formatDuration(s.restartMaxMs)}; limit ${s.startLimitBurst} in ${formatDuration(s.startLimitIntervalMs)}); ${s.restarts} so far`);
    }
    if (s.failures > 0) out.push(`    Failures: ${s.failures}, the last ${formatDuration(now - s.lastFailureAt)} ago: ${s.lastFailure}`);
    if (s.tasks.length > 0) out.push(`    Tasks: ${s.tasks.map((c) => `${c.name} (${c.state})`).join(", ")}`);
    const tb = s.phase === "failed" || s.phase === "restarting" ? s.traceback : [];
    if (tb.length > 0) {
      out.push("    Traceback:");
      for (const l of tb) out.push(`      ${l}`);
    }
    return out;
  }

  private activeText(s: Service): string {
    switch (s.phase) {
      case "active":
        return s.tasks.length > 0 && s.tasks.every((c) => c.state === "done") ? "active (exited)" : "active (running)";
      case "restarting":
        return `activating (auto-restart in ${formatDuration(Math.max(0, s.restartAt - schedNow()))}; last failure: ${s.lastFailure})`;
      case "failed":
        return `failed (${s.reason})`;
      case "blocked":
      case "stopped":
        return `inactive (${s.reason})`;
      default:
        return s.phase;
    }
  }

  private *bootGen(order: Service[]): Gen<BootReport> {
    const rep: BootReport = { lines: [], started: [], failed: [], skipped: [] };
    for (const s of order) {
      if (s.phase === "active" || s.phase === "starting" || s.phase === "restarting") continue;
      if (!s.enabled) {
        s.phase = "disabled";
        rep.skipped.push(s.name);
        rep.lines.push(`[ SKIP ] ${s.name}: disabled`);
        continue;
      }
      const why = this.blocker(s);
      if (why !== null) {
        s.phase = "blocked";
        s.reason = why;
        rep.skipped.push(s.name);
        rep.lines.push(`[ SKIP ] ${s.name}: not started, ${why}`);
        this.log?.warn(`${s.name} not started: ${why}`, "services");
        continue;
      }
      const ok = yield* this.startGen(s, false);
      if (ok) {
        rep.started.push(s.name);
        rep.lines.push(`[ OK ] ${s.name} started`);
      } else {
        rep.failed.push(s.name);
        rep.lines.push(`[ FAILED ] ${s.name}: ${s.lastFailure}`);
      }
    }
    return rep;
  }

  /** null if every dependency is active, else why not. */
  private blocker(s: Service): string | null {
    for (const r of s.requires) {
      const d = this.services.get(r);
      if (d === undefined) return `requires unknown service ${r}`;
      const st = d.state;
      if (st !== "active") return `dependency ${r} ${st === "blocked" ? "not started" : st}`;
    }
    return null;
  }

  /** @internal */
  *startGen(s: Service, raise: boolean): Gen<boolean> {
    if (s.running) throw new InvalidStateError(`service ${s.name} is already active`);
    const why = this.blocker(s);
    if (why !== null) throw new InvalidStateError(`service ${s.name} cannot start: ${why}`);
    s.phase = "starting";
    s.reason = "";
    const args = s.args.slice();
    if (s.def.init !== undefined) {
      try {
        yield* invoke(`${s.name}.init`, s.def.init, args);
      } catch (e) {
        if (s.phase !== "starting") throw e; // stopped meanwhile: a cancel
        this.failed(s, e, show(e));
        if (raise) throw e;
        return false;
      }
      if (s.phase !== "starting") return false; // stopped during its init
    }
    this.spawnTasks(s, args);
    s.phase = "active";
    s.startedAt = schedNow();
    this.log?.info(s.restarts > 0 && !raise ? `${s.name} started (restart ${s.restarts})` : `${s.name} started`, "services");
    return true;
  }

  /** Start the services that were stopped with `s`, and those blocked until it came up; returns those started. */
  private *startDependents(s: Service): Gen<string[]> {
    const started: string[] = [];
    for (const x of this.order()) {
      if (x === s || !x.enabled) continue;
      const waiting = (x.phase === "stopped" && x.stoppedWith !== "") || x.phase === "blocked";
      if (!waiting || this.blocker(x) !== null) continue;
      x.stoppedWith = "";
      if (yield* this.startGen(x, false)) started.push(x.name);
    }
    return started;
  }

  private spawnTasks(s: Service, args: unknown[]): void {
    const t = s.def.tasks;
    if (t === undefined) return;
    const fns: [string, TaskFn][] = typeof t === "function" ? [[s.name, t]] : Object.keys(t).map((k) => [`${s.name}.${k}`, t[k]!]);
    if (s.tasks.length === 0) {
      const owner: ControlledOwner = { started: (c) => this.taskStarted(s, c), ended: (c) => this.taskEnded(s, c) };
      const validate = s.def.validate;
      for (const [n, fn] of fns) {
        const c = this.registry.define(n, fn, ...args);
        c.owner = owner;
        if (validate !== undefined) c.validate = validate;
        s.tasks.push(c);
      }
      for (const c of s.tasks) this.registry.start(c.name);
      return;
    }
    for (const c of s.tasks) this.registry.restart(c.name, args.slice());
  }

  /** A task of `s` was started by someone else than the manager (a `start`/`restart` of the task). */
  private taskStarted(s: Service, c: Controlled): void {
    if (s.phase === "starting") return;
    this.cancelRestart(s);
    if (s.tasks.every((x) => x.state === "running" || x.state === "done")) {
      if (s.phase !== "active") s.startedAt = schedNow();
      s.phase = "active";
      s.reason = "";
      s.args = c.args.slice(); // what it runs with now (not stored)
    }
  }

  /** A task of `s` ended: keep the state true, and restart per the policy. */
  private taskEnded(s: Service, c: Controlled): void {
    if (s.phase !== "active") return; // the manager stopped it, or it is already failed/restarting
    if (c.state === "cancelled") {
      this.halt(s, "stopped", `task ${c.name} stopped`);
      this.log?.info(`${s.name} stopped (its task ${c.name} was stopped)`, "services");
      return;
    }
    if (c.state === "failed") {
      this.failed(s, c.error, `task ${c.name} failed: ${show(c.error)}`);
      return;
    }
    if (s.tasks.every((x) => x.state === "done") && s.policy === "always") {
      this.settle(s);
      this.scheduleRestart(s);
    }
  }

  /** Set the phase, then stop the service's tasks still running (their ends are then not news). */
  private halt(s: Service, phase: ServicePhase, reason: string): void {
    s.phase = phase;
    s.reason = reason;
    for (const x of s.tasks) if (x.state === "running") this.registry.stop(x.name);
  }

  /** A run that lasted restartMaxMs was healthy: the next restart delay starts over from restartMs. */
  private settle(s: Service): void {
    if (s.phase === "active" && schedNow() - s.startedAt >= s.restartMaxMs) s.delayMs = s.restartMs;
  }

  private failed(s: Service, e: unknown, what: string): void {
    this.settle(s);
    s.failures++;
    s.error = e;
    s.lastFailure = what;
    s.lastFailureAt = schedNow();
    this.halt(s, "failed", what);
    this.log?.error(`${s.name} failed: ${what}`, "services");
    if (s.policy !== "never") this.scheduleRestart(s);
  }

  private scheduleRestart(s: Service): void {
    const now = schedNow();
    const recent = s.recent;
    while (recent.length > 0 && now - recent[0]! >= s.startLimitIntervalMs) recent.shift();
    if (recent.length >= s.startLimitBurst) {
      this.halt(s, "failed", `start limit hit: ${recent.length} restarts in ${formatDuration(now - recent[0]!)}; last failure: ${s.lastFailure}`);
      this.log?.error(`${s.name}: ${s.reason}; start it by hand when fixed`, "services");
      return;
    }
    const delay = s.delayMs;
    s.delayMs = Math.min(s.restartMaxMs, delay * 2);
    this.halt(s, "restarting", "");
    s.restartAt = now + delay;
    s.timer = callLater(delay, autoRestart, this, s);
    this.log?.warn(`${s.name}: restart ${s.restarts + 1} in ${formatDuration(delay)}`, "services");
  }

  /** @internal the restart delay passed */
  fire(s: Service): void {
    s.timer = null;
    if (s.phase !== "restarting") return;
    s.restartAt = NaN;
    s.recent.push(schedNow());
    s.restarts++;
    const why = this.blocker(s);
    if (why !== null) {
      // a dependency is down: wait for it (it starts us when it comes back)
      s.phase = "blocked";
      s.reason = why;
      return;
    }
    spawn(`services.restart`, function* (self: ServiceManager): Gen<void> {
      if (yield* self.startGen(s, false)) yield* self.startDependents(s);
    }, this);
  }

  private cancelRestart(s: Service): void {
    if (s.timer !== null) s.timer.cancel();
    s.timer = null;
    s.restartAt = NaN;
  }

  private save(s: Service): void {
    if (this.prefs !== undefined) setJSON(this.prefs, this.domain, s.name, { enabled: s.enabled, args: s.args });
  }

  private need(name: string): Service {
    const s = this.services.get(name);
    if (s === undefined) throw new InvalidStateError(`no service named ${JSON.stringify(name)}`);
    return s;
  }
}

function autoRestart(sm: ServiceManager, s: Service): void {
  sm.fire(s);
}

function mark(s: Service): string {
  return s.phase === "active" ? "●" : s.phase === "failed" ? "×" : s.phase === "restarting" ? "↻" : "○";
}

/** null if `def.validate` accepts `args`, else its one-line reason. */
function check(def: ServiceDef, args: unknown[]): string | null {
  if (def.validate === undefined) return null;
  try {
    def.validate(args);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
