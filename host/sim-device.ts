// A minimal simulated board for `npm start` until the full simulator lands: the `device` global with a
// Digital class that prints output changes, and `trace` on stdout.
type Mode = number;

class SimDigital {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly InputPullDown = 2;
  static readonly InputPullUpDown = 3;
  static readonly Output = 8;
  static readonly OutputOpenDrain = 9;
  static readonly Rising = 1;
  static readonly Falling = 2;
  private level: 0 | 1 = 0;
  private closed = false;
  constructor(private readonly options: { pin: number; mode: Mode }) {}
  read(): 0 | 1 {
    return this.level;
  }
  write(v: 0 | 1): void {
    if (this.closed) throw new Error("Digital: closed");
    this.level = v;
    process.stdout.write(`[sim] pin ${this.options.pin} -> ${v ? "high" : "low"}\n`);
  }
  close(): void {
    this.closed = true;
  }
}

/** Install `device` and `trace` as Moddable provides them. */
export function installSimDevice(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  g.device = { io: { Digital: SimDigital }, pin: { led: 25 } };
  g.trace = (...args: unknown[]): void => {
    process.stdout.write(args.map(String).join(""));
  };
}
