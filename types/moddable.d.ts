// The subset of Moddable SDK typings this project uses (the SDK's typings/ are not on npm).
// Faithful to Moddable SDK 8.2.3: see ../shared/reference/moddable.md.

declare module "timer" {
  type TimerID = object;
  const Timer: {
    /** No interval: run on the next run-loop turn. */
    set(callback: (id: TimerID) => void, interval?: number, repeat?: number): TimerID;
    repeat(callback: (id: TimerID) => void, interval: number): TimerID;
    schedule(id: TimerID, interval?: number, repeat?: number): void;
    clear(id: TimerID): void;
    delay(ms: number): void;
  };
  export { Timer as default, TimerID };
}

declare module "time" {
  const Time: {
    /** Milliseconds; wraps on microcontrollers: compare with delta(). */
    readonly ticks: number;
    delta(start: number, end?: number): number;
    readonly microseconds?: number;
  };
  export default Time;
}

/** Moddable's console output (serial console in release builds, xsbug in debug builds). */
declare function trace(...args: unknown[]): void;
