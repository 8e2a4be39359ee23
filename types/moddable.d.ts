// The subset of Moddable SDK typings this project uses (the SDK's typings/ are not on npm).
// Faithful to Moddable SDK 8.2.3: see ../shared/reference/moddable.md.

declare module "timer" {
  export type TimerCallback = (timer: Timer) => void;
  class Timer {
    private constructor();
    /** No interval: run on the next run-loop turn. */
    static set: (callback: TimerCallback, interval?: number, repeat?: number) => Timer;
    static repeat: (callback: TimerCallback, interval: number) => Timer;
    static schedule: (timer: Timer, interval?: number, repeat?: number) => void;
    static clear: (timer: Timer | undefined | null) => void;
    static delay: (milliseconds: number) => void;
    private brand: boolean;
  }
  export { Timer as default };
}

declare module "time" {
  const Time: {
    /** Milliseconds; wraps on microcontrollers: compare with delta(). */
    readonly ticks: number;
    delta(start: number, end?: number): number;
    readonly microseconds?: number;
    /** Set the wall clock (Date) to `seconds` since 1970 UTC. */
    set(seconds: number): void;
  };
  export default Time;
}

declare module "debug" {
  const Debug: {
    /** No argument: run a full garbage collection now. */
    gc(enable?: boolean): void;
  };
  export default Debug;
}

/** Moddable's console output (serial console in release builds, xsbug in debug builds). */
declare function trace(...args: unknown[]): void;

/** Moddable's `device` global (host provider): IO constructors and the board's pin names (firmware/platform/io). */
declare const device: import("../firmware/platform/io").Board;

/** The manifest's "config" (Moddable's mc/config; `mcconfig ... key=value` overrides an entry). */
declare module "mc/config" {
  const config: { readonly [key: string]: unknown };
  export default config;
}
