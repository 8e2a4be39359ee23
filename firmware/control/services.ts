import { InvalidStateError, spawn, type Gen, type Op, type TaskFn } from "../sched/index";
import { schedNow } from "./clock";
import { invoke } from "./invoke";
import { getJSON, setJSON, type Prefs } from "./prefs";
import type { Controlled, TaskRegistry } from "./registry";
import type { RingLog } from "./ringlog";
import { formatDuration, formatStamp, show, traceback } from "./time";

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
  /** Start at boot (default true; a stored configuration replaces it). */
  enabled?: boolean;
}

/** Where a service is. */
export type ServicePhase = "inactive" | "disabled" | "blocked" | "starting" | "active" | "failed" | "stopped";

/** A registered service and its runtime state. */
export class Service {
  phase: ServicePhase = "inactive";
  /** Why it is blocked or failed (one line). */
  reason = "";
  /** The error of a failed init. */
  error: unknown = undefined;
  enabled: boolean;
  args: unknown[];
  startedAt = 0;
  /** Its tasks in the registry (after the first start). */
  readonly tasks: Controlled[] = [];
  constructor(readonly def: ServiceDef) {
    this.enabled = def.enabled ?? true;
    this.args = def.args ?? [];
  }
  get name(): string {
    return this.def.name;
  }
  get requires(): string[] {
    return this.def.requires ?? [];
  }
  /** active / failed state, including its tasks: a failed task fails the service. */
  get state(): ServicePhase {
    if (this.phase !== "active") return this.phase;
    return this.tasks.some((t) => t.state === "failed") ? "failed" : "active";
  }
  /** The traceback of what failed (init or a task), as lines. */
  get traceback(): string[] {
    if (this.phase === "failed") return traceback(this.error);
    const t = this.tasks.find((c) => c.state === "failed");
    return t !== undefined ? [`task ${t.name}:`, ...t.traceback] : [];
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
 * task(s) and default arguments. `boot()` starts the enabled ones in dependency order (a topological order;
 * a cycle is an error naming it, before anything starts). A service whose init throws is `failed` (with
 * its traceback) and the services that require it are not started (`blocked`, with the reason). At run
 * time: list, status, enable/disable (stored; used at the next boot), setArgs (stored), start, stop.
 *
 * Configuration is stored per service as a JSON string `{"enabled":bool,"args":[...]}` in the Prefs domain.
 * Cancel: cancelling a boot()/start() cancels the init in progress; services already started stay up.
 * Memory: a Service object (~8 fields) per service plus its registry entries.
 * @example
 *   const sm = new ServiceManager(reg, { prefs: new MemoryPrefs() });
 *   sm.add({ name: "net", tasks: wifi, args: ["ssid"] });
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

  /** Register a service; its stored configuration (if any) replaces the defaults. */
  add(def: ServiceDef): Service {
    if (def === null || typeof def !== "object" || typeof def.name !== "string" || def.name === "") throw new TypeError("a service needs a name");
    if (this.services.has(def.name)) throw new InvalidStateError(`service ${def.name} is already registered`);
    const s = new Service(def);
    if (this.prefs !== undefined) {
      const cfg = getJSON(this.prefs, this.domain, def.name) as { enabled?: unknown; args?: unknown } | undefined;
      if (cfg !== undefined && cfg !== null && typeof cfg === "object") {
        if (typeof cfg.enabled === "boolean") s.enabled = cfg.enabled;
        if (Array.isArray(cfg.args)) s.args = cfg.args as unknown[];
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

  /** Start one service (its dependencies must be active). Throws its init's error. */
  start(name: string): Op<void> {
    const s = this.need(name);
    return spawn(`services.start`, function* (self: ServiceManager): Gen<void> {
      yield* self.startGen(s, true);
    }, this).join();
  }

  /** Stop a service's tasks, after stopping the active services that require it; returns the names stopped. */
  stop(name: string): string[] {
    const s = this.need(name);
    const stopped: string[] = [];
    const order = this.order().reverse();
    const dependents = new Set<string>([s.name]);
    for (const x of this.order()) if (x.requires.some((r) => dependents.has(r))) dependents.add(x.name);
    for (const x of order) {
      if (!dependents.has(x.name) || (x.phase !== "active" && x.phase !== "starting")) continue;
      for (const c of x.tasks) if (c.state === "running") this.registry.stop(c.name);
      x.phase = "stopped";
      x.reason = x === s ? "stopped" : `stopped with ${s.name}`;
      stopped.push(x.name);
    }
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

  /** Replace a service's arguments (stored; used at its next start). */
  setArgs(name: string, args: unknown[]): void {
    if (!Array.isArray(args)) throw new TypeError("service arguments must be an array");
    const s = this.need(name);
    s.args = args;
    this.save(s);
  }

  /** One line per service: mark, name, description, enabled, state. */
  list(): string[] {
    return this.all().map((s) => {
      const st = s.state;
      const mark = st === "active" ? "●" : st === "failed" ? "×" : "○";
      return `${mark} ${s.name}${s.def.description ? ` - ${s.def.description}` : ""} [${s.enabled ? "enabled" : "disabled"}] ${this.activeText(s)}`;
    });
  }

  /** systemd-style status of one service. */
  status(name: string, wallAtNow?: number): string[] {
    const s = this.need(name);
    const now = schedNow();
    const out = [`${s.state === "active" ? "●" : s.state === "failed" ? "×" : "○"} ${s.name}${s.def.description ? ` - ${s.def.description}` : ""}`];
    out.push(`    Loaded: ${s.enabled ? "enabled" : "disabled"}`);
    let active = `    Active: ${this.activeText(s)}`;
    if (s.state === "active") active += ` since ${formatStamp(s.startedAt, now, wallAtNow)}; ${formatDuration(now - s.startedAt)} ago`;
    out.push(active);
    if (s.requires.length > 0) out.push(`    Requires: ${s.requires.join(", ")}`);
    out.push(`    Args: ${show(s.args)}`);
    if (s.tasks.length > 0) out.push(`    Tasks: ${s.tasks.map((c) => `${c.name} (${c.state})`).join(", ")}`);
    const tb = s.traceback;
    if (tb.length > 0) {
      out.push("    Traceback:");
      for (const l of tb) out.push(`      ${l}`);
    }
    return out;
  }

  private activeText(s: Service): string {
    switch (s.state) {
      case "active":
        return s.tasks.length > 0 && s.tasks.every((c) => c.state === "done") ? "active (exited)" : "active (running)";
      case "failed":
        return `failed (${s.phase === "failed" ? s.reason : "task failed: " + show(s.tasks.find((c) => c.state === "failed")!.error)})`;
      case "blocked":
        return `inactive (${s.reason})`;
      case "stopped":
        return `inactive (${s.reason})`;
      default:
        return s.state;
    }
  }

  private *bootGen(order: Service[]): Gen<BootReport> {
    const rep: BootReport = { lines: [], started: [], failed: [], skipped: [] };
    for (const s of order) {
      if (s.state === "active" || s.phase === "starting") continue;
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
        rep.lines.push(`[ FAILED ] ${s.name}: ${s.reason}`);
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
    if (s.phase === "active" && s.tasks.some((c) => c.state === "running")) throw new InvalidStateError(`service ${s.name} is already active`);
    const why = this.blocker(s);
    if (why !== null) throw new InvalidStateError(`service ${s.name} cannot start: ${why}`);
    s.phase = "starting";
    s.reason = "";
    s.error = undefined;
    const args = s.args.slice();
    if (s.def.init !== undefined) {
      try {
        yield* invoke(`${s.name}.init`, s.def.init, args);
      } catch (e) {
        s.phase = "failed";
        s.error = e;
        s.reason = show(e);
        this.log?.error(`${s.name} failed: ${traceback(e).join("\n")}`, "services");
        if (raise) throw e;
        return false;
      }
    }
    this.spawnTasks(s, args);
    s.phase = "active";
    s.startedAt = schedNow();
    this.log?.info(`${s.name} started`, "services");
    return true;
  }

  private spawnTasks(s: Service, args: unknown[]): void {
    const t = s.def.tasks;
    if (t === undefined) return;
    const fns: [string, TaskFn][] = typeof t === "function" ? [[s.name, t]] : Object.keys(t).map((k) => [`${s.name}.${k}`, t[k]!]);
    if (s.tasks.length === 0) {
      for (const [n, fn] of fns) s.tasks.push(this.registry.add(n, fn, ...args));
      return;
    }
    for (const c of s.tasks) this.registry.restart(c.name, args.slice());
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
