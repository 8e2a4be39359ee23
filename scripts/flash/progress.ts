// A progress bar on a stream (stderr): redrawn in place on a terminal, a few plain lines otherwise (CI logs).

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function kib(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

export class ProgressBar {
  private label = '';
  private total = 0;
  private lastPct = -1;
  private active = false;

  constructor(private readonly out: ProgressStream, private readonly width = 30) {}

  start(label: string, total: number): void {
    this.finish();
    this.label = label;
    this.total = total;
    this.lastPct = -1;
    this.active = true;
    this.update(0);
  }

  update(done: number): void {
    if (!this.active) return;
    const pct = this.total > 0 ? Math.min(100, Math.floor((100 * done) / this.total)) : 100;
    if (this.out.isTTY) {
      if (pct === this.lastPct) return;
      const fill = Math.round((this.width * pct) / 100);
      const bar = `${'#'.repeat(fill)}${'.'.repeat(this.width - fill)}`;
      this.out.write(`\r  [${bar}] ${String(pct).padStart(3)}% ${this.label} (${kib(done)} / ${kib(this.total)})\x1b[K`);
    } else {
      // plain output: one line at 0, 25, 50, 75 and 100 %
      const step = Math.floor(pct / 25) * 25;
      if (step === this.lastPct) return;
      this.out.write(`  ${this.label}: ${step}% (${kib(done)} / ${kib(this.total)})\n`);
      this.lastPct = step;
      return;
    }
    this.lastPct = pct;
  }

  /** End the current bar (a newline on a terminal). */
  finish(): void {
    if (!this.active) return;
    this.active = false;
    if (this.out.isTTY) this.out.write('\n');
  }
}
