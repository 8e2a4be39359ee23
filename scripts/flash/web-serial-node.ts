// A Web-Serial-shaped port over the npm `serialport` package, so that esptool-js (written for browsers)
// runs under Node. It implements what esptool-js's Transport uses: open({baudRate}), close(), `readable` and
// `writable` web streams (new ones at every open, like Web Serial), setSignals(), getInfo() and setBaudRate().
//
// Pitfalls handled here:
//  - serialport's set() sets every line it is not given to true (DTR and RTS asserted: an ESP32 devkit is
//    then held in reset). Web Serial callers pass only the lines they change, so both lines are tracked here
//    and always sent together.
//  - pseudo-terminals and some adapters have no modem-control lines: set() fails with "Inappropriate ioctl
//    for device" (ENOTTY) or EINVAL. That is reported once through `onWarning` and otherwise ignored, so
//    flashing works when the board is put into download mode by hand (hold BOOT, tap EN).
import { SerialPort } from 'serialport';

export interface SerialPortInfoLike {
  usbVendorId?: number;
  usbProductId?: number;
}

export class PortOpenError extends Error {
  override name = 'PortOpenError';
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

function errCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'string') return e.code;
  const m = typeof e?.message === 'string' ? e.message : '';
  if (/No such file or directory/i.test(m)) return 'ENOENT';
  if (/Permission denied/i.test(m)) return 'EACCES';
  if (/Inappropriate ioctl/i.test(m)) return 'ENOTTY';
  if (/Resource busy|Cannot lock port/i.test(m)) return 'EBUSY';
  if (/Invalid argument/i.test(m)) return 'EINVAL';
  return undefined;
}

export class NodeWebSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  /** The line state last requested (true = asserted). */
  dtr = false;
  rts = false;
  /** False once the port turned out to have no modem-control lines. */
  hasControlLines = true;
  private port: SerialPort | null = null;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private info: SerialPortInfoLike = {};

  constructor(
    readonly path: string,
    private readonly onWarning: (message: string) => void = () => {},
  ) {}

  async open(options: { baudRate: number }): Promise<void> {
    if (this.port) throw new Error(`${this.path} is already open`);
    // hupcl: false keeps DTR/RTS where we put them on close; with the default, Linux drops them on close
    const port = new SerialPort({ path: this.path, baudRate: options.baudRate, autoOpen: false, hupcl: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      const code = errCode(err);
      const detail = err instanceof Error ? err.message : String(err);
      const hint =
        code === 'ENOENT' ? ' (no such device: is the board plugged in, and is this the right port?)'
          : code === 'EACCES' ? ' (permission denied: on Linux add yourself to the "dialout" group, then log in again)'
            : code === 'EBUSY' ? ' (the port is in use: close any serial monitor, e.g. mcconfig\'s xsbug/serial2xsbug or screen)'
              : '';
      throw new PortOpenError(`cannot open serial port ${this.path}: ${detail}${hint}`, code);
    }
    this.port = port;
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
      cancel: () => {
        this.controller = null;
      },
    });
    port.on('data', (chunk: Buffer) => {
      try {
        this.controller?.enqueue(new Uint8Array(chunk));
      } catch {
        // reader cancelled: drop
      }
    });
    port.on('error', (err: Error) => {
      try {
        this.controller?.error(err);
      } catch {
        // already closed
      }
      this.controller = null;
    });
    port.on('close', () => {
      try {
        this.controller?.close();
      } catch {
        // already closed
      }
      this.controller = null;
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (!this.port) return reject(new Error('port closed'));
          this.port.write(Buffer.from(chunk), (err) => {
            if (err) return reject(err);
            this.port?.drain((e) => (e ? reject(e) : resolve()));
          });
        }),
      // Transport.flushOutput closes a writer; keep the port usable
      close: () => {},
    });
    this.info = await this.lookupInfo();
  }

  /** USB ids of the port when the OS tells them (used by esptool-js to recognise USB-Serial/JTAG). */
  private async lookupInfo(): Promise<SerialPortInfoLike> {
    try {
      const list = await Promise.race([
        SerialPort.list(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1500).unref()),
      ]);
      const entry = list.find((p) => p.path === this.path);
      const vid = entry?.vendorId ? parseInt(entry.vendorId, 16) : NaN;
      const pid = entry?.productId ? parseInt(entry.productId, 16) : NaN;
      return Number.isFinite(vid) && Number.isFinite(pid) ? { usbVendorId: vid, usbProductId: pid } : {};
    } catch {
      return {}; // SerialPort.list() needs udevadm on Linux; without it the ids are simply unknown
    }
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    try {
      this.controller?.close();
    } catch {
      // already closed
    }
    this.controller = null;
    this.readable = null;
    this.writable = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  async setSignals(signals: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void> {
    if (signals.dataTerminalReady !== undefined) this.dtr = signals.dataTerminalReady;
    if (signals.requestToSend !== undefined) this.rts = signals.requestToSend;
    const port = this.port;
    if (!port || !this.hasControlLines) return;
    try {
      await new Promise<void>((resolve, reject) =>
        port.set({ dtr: this.dtr, rts: this.rts, brk: signals.break ?? false }, (err) => (err ? reject(err) : resolve())),
      );
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOTTY' || code === 'EINVAL') {
        this.hasControlLines = false;
        this.onWarning(
          `${this.path} has no DTR/RTS lines (${err instanceof Error ? err.message : String(err)}): automatic reset is ` +
            'off. Put the board into download mode by hand (hold BOOT, tap EN/RST) and reset it the same way afterwards.',
        );
        return;
      }
      throw err;
    }
  }

  getInfo(): SerialPortInfoLike {
    return this.info;
  }

  async setBaudRate(baudRate: number): Promise<void> {
    const port = this.port;
    if (!port) throw new Error('port closed');
    await new Promise<void>((resolve, reject) => port.update({ baudRate }, (err) => (err ? reject(err) : resolve())));
  }
}
