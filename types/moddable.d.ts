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
  };
  export default Time;
}

/** Moddable's console output (serial console in release builds, xsbug in debug builds). */
declare function trace(...args: unknown[]): void;

/** The subset of ECMA-419 `embedded:io/digital` used here. */
interface DigitalOptions {
  pin: number;
  mode: number;
  edge?: number;
  onReadable?: (this: DigitalInstance) => void;
}
interface DigitalInstance {
  read(): 0 | 1;
  write(value: 0 | 1): void;
  close(): void;
}
interface DigitalConstructor {
  new (options: DigitalOptions): DigitalInstance;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly InputPullUpDown: number;
  readonly Output: number;
  readonly OutputOpenDrain: number;
  readonly Rising: number;
  readonly Falling: number;
}

/** Moddable's `device` global (host provider): IO constructors and the board's pin names. */
declare const device: {
  readonly io: { readonly Digital: DigitalConstructor; readonly [name: string]: unknown };
  readonly pin: { readonly [name: string]: number };
};
