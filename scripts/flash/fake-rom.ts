// A fake ESP32 / ESP32-S3 ROM bootloader for tests without hardware.
//
// It speaks the serial download protocol (SLIP frames; request `00 op len16 chk32 data`, response
// `01 op len16 val32 data status`) well enough for esptool-js 0.7 to sync, detect the chip, upload and
// "run" its flasher stub (MEM_BEGIN/MEM_DATA/MEM_END, then "OHAI" and stub semantics), change baud, read the
// SPI flash id, write compressed or plain images and answer SPI_FLASH_MD5 from an in-memory flash.
// Faults: a corrupted byte (the MD5 then differs), silence after N data packets (interrupted transfer).
// DTR/RTS are modelled like an ESP32 devkit wired directly: RTS asserted holds EN low (reset), and when EN
// rises the chip samples IO0 (low when DTR is asserted): download mode, or it "boots the app".
//
// Three ways to use it:
//   - in memory: `new FakeWebSerialPort(new FakeEsp32Rom())` is a Web-Serial-shaped port for esptool-js;
//   - on a serial device (e.g. one end of a socat pty pair): `await serveFakeRom(path, options)`;
//   - by hand: `npx tsx scripts/flash/fake-rom.ts <tty> [--chip esp32s3]`, then flash the other end.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { SlipDecoder, slipEncode } from './slip';

export type FakeChip = 'esp32' | 'esp32s3';
export type BootMode = 'download' | 'app';

export const OP = {
  FLASH_BEGIN: 0x02, FLASH_DATA: 0x03, FLASH_END: 0x04, MEM_BEGIN: 0x05, MEM_END: 0x06, MEM_DATA: 0x07,
  SYNC: 0x08, WRITE_REG: 0x09, READ_REG: 0x0a, SPI_SET_PARAMS: 0x0b, SPI_ATTACH: 0x0d, CHANGE_BAUD: 0x0f,
  FLASH_DEFL_BEGIN: 0x10, FLASH_DEFL_DATA: 0x11, FLASH_DEFL_END: 0x12, SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14, ERASE_FLASH: 0xd0, ERASE_REGION: 0xd1,
} as const;

/** Opcodes that change flash (or RAM): a refused flash must not have sent any of them. */
export const WRITING_OPS: readonly number[] = [
  OP.FLASH_BEGIN, OP.FLASH_DATA, OP.FLASH_DEFL_BEGIN, OP.FLASH_DEFL_DATA, OP.MEM_BEGIN, OP.MEM_DATA, OP.MEM_END,
  OP.ERASE_FLASH, OP.ERASE_REGION,
];

const ERR_INVALID_MSG = 0x05;
const ERR_BAD_CHECKSUM = 0x07;
const ERR_DEFLATE = 0x0b;

interface ChipProfile {
  name: string;
  magic: number; // value of the chip-detect register 0x40001000
  securityChipId: number | null; // GET_SECURITY_INFO chip id, or null when the ROM lacks the command (ESP32)
  spiRegBase: number;
  spiW0Offs: number;
  uartClkdivReg: number;
}

const PROFILES: Record<FakeChip, ChipProfile> = {
  esp32: { name: 'ESP32', magic: 0x00f01d83, securityChipId: null, spiRegBase: 0x3ff42000, spiW0Offs: 0x80, uartClkdivReg: 0x3ff40014 },
  esp32s3: { name: 'ESP32-S3', magic: 0x00000009, securityChipId: 9, spiRegBase: 0x60002000, spiW0Offs: 0x58, uartClkdivReg: 0x60000014 },
};

const CHIP_DETECT_MAGIC_REG = 0x40001000;
const SPI_CMD_USR = 1 << 18;

export interface FakeRomOptions {
  chip?: FakeChip;
  /** Flash size in bytes (default 4 MiB; the fake reports the matching JEDEC id). */
  flashSize?: number;
  /** Flip the low bit of the byte at this flash address whenever it is written (MD5 mismatch). */
  corruptAt?: number;
  /** Acknowledge this many FLASH_DATA / FLASH_DEFL_DATA packets, then never answer anything again. */
  silentAfterDataPackets?: number;
  /** Start in download mode (default true; a pty has no DTR/RTS to put it there). */
  startInDownloadMode?: boolean;
  /** Called with every protocol event, for debugging tests. */
  trace?: (line: string) => void;
}

interface FlashWrite {
  offset: number;
  blockSize: number;
  compressed: boolean;
  chunks: Buffer[];
  nextSeq: number;
  uncompressedSize: number;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export class FakeEsp32Rom {
  readonly profile: ChipProfile;
  readonly flash: Uint8Array;
  /** Every request opcode received, in order (while not in reset / app mode). */
  readonly ops: number[] = [];
  /** Every boot: after each reset pulse (EN rising), the mode sampled from IO0. */
  readonly boots: BootMode[] = [];
  /** Each CHANGE_BAUD request's new rate. */
  readonly baudChanges: number[] = [];
  mode: BootMode | 'reset';
  stub = false;
  /** How many times the flasher stub was started (MEM_END with an entry point, answered "OHAI"). */
  stubRuns = 0;
  silent = false;
  private dataPackets = 0;
  private readonly regs = new Map<number, number>();
  private write: FlashWrite | null = null;
  private memBlocks = 0;
  private output: (bytes: Uint8Array) => void = () => {};
  private readonly decoder: SlipDecoder;
  private dtr = false;
  private rts = false;

  constructor(private readonly options: FakeRomOptions = {}) {
    this.profile = PROFILES[options.chip ?? 'esp32'];
    const size = options.flashSize ?? 4 * 1024 * 1024;
    this.flash = new Uint8Array(size).fill(0xff);
    this.mode = options.startInDownloadMode === false ? 'app' : 'download';
    this.decoder = new SlipDecoder((frame) => this.onFrame(frame));
    // 115200 baud * divider / 1e6 = 40 MHz crystal, as esptool-js's getCrystalFreq computes it
    this.regs.set(this.profile.uartClkdivReg, Math.round(40e6 / 115200));
  }

  /** Where the fake's bytes go (the wire toward the host). */
  attach(output: (bytes: Uint8Array) => void): void {
    this.output = output;
  }

  /** The flash content at [address, address + length). */
  read(address: number, length: number): Uint8Array {
    return this.flash.slice(address, address + length);
  }

  /** Model the devkit's auto-reset wiring: RTS asserted = EN low, DTR asserted = IO0 low. */
  setLines(dtr: boolean, rts: boolean): void {
    const wasInReset = this.rts;
    this.dtr = dtr;
    this.rts = rts;
    if (rts) {
      if (!wasInReset) this.trace('EN low: chip held in reset');
      this.mode = 'reset';
      this.stub = false;
      this.write = null;
      this.decoder.reset();
    } else if (wasInReset) {
      const mode: BootMode = this.dtr ? 'download' : 'app';
      this.mode = mode;
      this.boots.push(mode);
      this.trace(`EN high: boot ${mode}`);
      const banner = mode === 'download'
        ? 'ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n'
        : 'ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n';
      this.output(new TextEncoder().encode(banner));
    }
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    if (this.mode !== 'download') return; // in reset, or running the app: the ROM loader is not listening
    this.decoder.push(bytes);
  }

  private trace(line: string): void {
    this.options.trace?.(`[fake ${this.profile.name}] ${line}`);
  }

  private send(payload: Uint8Array): void {
    this.output(slipEncode(payload));
  }

  private respond(op: number, val: number, data: number[] = [], error = 0): void {
    // The ROM sends 4 status bytes (status, error, 2 reserved) on ESP32 and later; the stub sends 2.
    const status = this.stub ? [error ? 1 : 0, error] : [error ? 1 : 0, error, 0, 0];
    const body = [...data, ...status];
    this.send(Uint8Array.from([0x01, op, body.length & 0xff, body.length >> 8, ...le32(val), ...body]));
  }

  private fail(op: number, error: number): void {
    this.respond(op, 0, [], error);
  }

  /** What the ROM does with a command it does not know: status 1, error 5 "invalid message", under op 0. */
  private unsupported(op: number): void {
    this.trace(`unsupported op 0x${op.toString(16)}`);
    this.respond(0x00, 0, [], ERR_INVALID_MSG);
  }

  private onFrame(frame: Uint8Array): void {
    if (this.silent || frame.length < 8 || frame[0] !== 0x00) return;
    const op = frame[1] ?? 0;
    const len = (frame[2] ?? 0) | ((frame[3] ?? 0) << 8);
    const chk = u32(frame, 4);
    const data = frame.subarray(8, 8 + len);
    this.ops.push(op);
    this.handle(op, data, chk);
  }

  private handle(op: number, d: Uint8Array, chk: number): void {
    const ok = (val = 0, data: number[] = []) => this.respond(op, val, data);
    switch (op) {
      case OP.SYNC:
        if (this.stub) {
          ok(0);
        } else {
          for (let i = 0; i < 8; i++) ok(0x20120707); // the ROM answers a SYNC eight times, with a non-zero value
        }
        return;
      case OP.READ_REG: {
        const addr = u32(d, 0);
        const value = addr === CHIP_DETECT_MAGIC_REG ? this.profile.magic : (this.regs.get(addr) ?? 0);
        ok(value);
        return;
      }
      case OP.WRITE_REG:
        for (let at = 0; at + 16 <= d.length; at += 16) this.writeReg(u32(d, at), u32(d, at + 4), u32(d, at + 8));
        ok();
        return;
      case OP.GET_SECURITY_INFO: {
        const id = this.profile.securityChipId;
        if (id === null) {
          this.unsupported(op);
          return;
        }
        ok(0, [...le32(0), 0, 0, 0, 0, 0, 0, 0, 0, ...le32(id), ...le32(0)]); // flags, crypt cnt, 7 key purposes, chip id, api
        return;
      }
      case OP.SPI_SET_PARAMS:
      case OP.SPI_ATTACH:
        ok();
        return;
      case OP.CHANGE_BAUD:
        this.baudChanges.push(u32(d, 0));
        this.trace(`baud -> ${u32(d, 0)}`);
        ok();
        return;
      case OP.MEM_BEGIN:
        this.memBlocks = 0;
        ok();
        return;
      case OP.MEM_DATA:
        if (!this.checksumOk(d.subarray(16), chk)) return this.fail(op, ERR_BAD_CHECKSUM);
        this.memBlocks++;
        ok();
        return;
      case OP.MEM_END: {
        ok();
        if (u32(d, 0) === 0) {
          // "jump to entry": the stub starts and greets the host
          this.stub = true;
          this.stubRuns++;
          this.trace(`stub running (${this.memBlocks} RAM blocks)`);
          this.send(new TextEncoder().encode('OHAI'));
        }
        return;
      }
      case OP.FLASH_BEGIN:
      case OP.FLASH_DEFL_BEGIN: {
        const size = u32(d, 0);
        const blockSize = u32(d, 8);
        const offset = u32(d, 12);
        if (offset + size > this.flash.length) return this.fail(op, 0x06);
        this.erase(offset, size);
        this.write = { offset, blockSize, compressed: op === OP.FLASH_DEFL_BEGIN, chunks: [], nextSeq: 0, uncompressedSize: size };
        this.trace(`${op === OP.FLASH_BEGIN ? 'FLASH_BEGIN' : 'FLASH_DEFL_BEGIN'} 0x${offset.toString(16)} size ${size}`);
        ok();
        return;
      }
      case OP.FLASH_DATA:
      case OP.FLASH_DEFL_DATA:
        this.flashData(op, d, chk);
        return;
      case OP.FLASH_END:
      case OP.FLASH_DEFL_END:
        this.write = null;
        ok();
        return;
      case OP.SPI_FLASH_MD5: {
        const addr = u32(d, 0);
        const size = u32(d, 4);
        const digest = createHash('md5').update(this.flash.subarray(addr, addr + size)).digest();
        // the ROM answers 32 hex characters, the stub 16 raw bytes
        ok(0, this.stub ? [...digest] : [...new TextEncoder().encode(digest.toString('hex'))]);
        return;
      }
      case OP.ERASE_FLASH:
        if (!this.stub) return this.unsupported(op);
        this.flash.fill(0xff);
        ok();
        return;
      case OP.ERASE_REGION:
        if (!this.stub) return this.unsupported(op);
        this.erase(u32(d, 0), u32(d, 4));
        ok();
        return;
      default:
        this.unsupported(op);
    }
  }

  private checksumOk(payload: Uint8Array, chk: number): boolean {
    let c = 0xef;
    for (const b of payload) c ^= b;
    return c === (chk & 0xff);
  }

  private erase(offset: number, size: number): void {
    const start = offset - (offset % 4096);
    const end = Math.min(this.flash.length, Math.ceil((offset + size) / 4096) * 4096);
    this.flash.fill(0xff, start, end);
  }

  private writeReg(addr: number, value: number, mask: number): void {
    const { spiRegBase, spiW0Offs } = this.profile;
    if (addr === spiRegBase && value & SPI_CMD_USR) {
      // a user SPI command: esptool-js only issues RDID (0x9F) here; answer the JEDEC id and complete at once
      const sizeCode = Math.log2(this.flash.length); // 4 MiB -> 0x16
      this.regs.set(spiRegBase + spiW0Offs, (sizeCode << 16) | (0x40 << 8) | 0xef); // Winbond W25Q
      this.regs.set(addr, 0);
      return;
    }
    const old = this.regs.get(addr) ?? 0;
    this.regs.set(addr, ((old & ~mask) | (value & mask)) >>> 0);
  }

  private flashData(op: number, d: Uint8Array, chk: number): void {
    const w = this.write;
    if (w === null || w.compressed !== (op === OP.FLASH_DEFL_DATA)) return this.fail(op, ERR_INVALID_MSG);
    const length = u32(d, 0);
    const seq = u32(d, 4);
    const payload = d.subarray(16, 16 + length);
    if (payload.length !== length || !this.checksumOk(payload, chk)) return this.fail(op, ERR_BAD_CHECKSUM);
    if (seq !== w.nextSeq) {
      if (seq === w.nextSeq - 1) return this.respond(op, 0); // a retry of the block just written
      return this.fail(op, ERR_INVALID_MSG);
    }
    if (w.compressed) {
      w.chunks.push(Buffer.from(payload));
      let out: Buffer;
      try {
        out = zlib.inflateSync(Buffer.concat(w.chunks), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch {
        return this.fail(op, ERR_DEFLATE);
      }
      this.store(w.offset, out.subarray(0, Math.min(out.length, w.uncompressedSize)));
    } else {
      this.store(w.offset + seq * w.blockSize, payload);
    }
    w.nextSeq++;
    this.dataPackets++;
    this.respond(op, 0);
    if (this.options.silentAfterDataPackets !== undefined && this.dataPackets >= this.options.silentAfterDataPackets) {
      this.trace(`going silent after ${this.dataPackets} data packets`);
      this.silent = true;
    }
  }

  private store(address: number, bytes: Uint8Array): void {
    this.flash.set(bytes.subarray(0, Math.max(0, this.flash.length - address)), address);
    const c = this.options.corruptAt;
    if (c !== undefined && c >= address && c < address + bytes.length) this.flash[c] = (bytes[c - address] ?? 0) ^ 0x01;
  }
}

// ---------------------------------------------------------------------------------------------------------
// In-memory Web Serial port

/** A Web-Serial-shaped port wired to a FakeEsp32Rom, for esptool-js's Transport. */
export class FakeWebSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  baudRate = 0;
  dtr = false;
  rts = false;
  opens = 0;
  /** Every setSignals call, with the line state after it. */
  readonly signals: Array<{ dtr: boolean; rts: boolean }> = [];
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;

  constructor(readonly rom: FakeEsp32Rom) {
    rom.attach((bytes) => {
      // deliver later, like a wire would; setImmediate keeps the order
      setImmediate(() => {
        try {
          this.controller?.enqueue(bytes);
        } catch {
          // the stream was cancelled or closed meanwhile: bytes fall on the floor, as on a closed port
        }
      });
    });
  }

  async open(options: { baudRate: number }): Promise<void> {
    if (this.readable) throw new Error('InvalidStateError: the port is already open');
    this.baudRate = options.baudRate;
    this.opens++;
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
      cancel: () => {
        this.controller = null;
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        this.rom.receive(chunk);
      },
    });
  }

  async close(): Promise<void> {
    try {
      this.controller?.close();
    } catch {
      // already closed
    }
    this.controller = null;
    this.readable = null;
    this.writable = null;
  }

  async setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void> {
    if (s.dataTerminalReady !== undefined) this.dtr = s.dataTerminalReady;
    if (s.requestToSend !== undefined) this.rts = s.requestToSend;
    this.signals.push({ dtr: this.dtr, rts: this.rts });
    this.rom.setLines(this.dtr, this.rts);
  }

  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return {};
  }

  async setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
  }
}

// ---------------------------------------------------------------------------------------------------------
// On a real serial device (a pty)

export interface FakeRomServer {
  rom: FakeEsp32Rom;
  close(): Promise<void>;
}

/** Serve a fake ROM on a serial device path (e.g. one end of `socat pty,raw,echo=0 pty,raw,echo=0`). */
export async function serveFakeRom(path: string, options: FakeRomOptions = {}): Promise<FakeRomServer> {
  const { SerialPort } = await import('serialport');
  const rom = new FakeEsp32Rom({ ...options, startInDownloadMode: options.startInDownloadMode ?? true });
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  rom.attach((bytes) => {
    port.write(Buffer.from(bytes));
  });
  port.on('data', (chunk: Buffer) => rom.receive(new Uint8Array(chunk)));
  port.on('error', () => {});
  return {
    rom,
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}

if (/fake-rom\.[cm]?[tj]s$/.test(process.argv[1] ?? '')) {
  const [path, ...rest] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: tsx scripts/flash/fake-rom.ts <tty> [--chip esp32|esp32s3] [--verbose]\n');
    process.exit(2);
  }
  const chip: FakeChip = rest.includes('esp32s3') ? 'esp32s3' : 'esp32';
  const verbose = rest.includes('--verbose');
  serveFakeRom(path, { chip, trace: verbose ? (l) => process.stderr.write(`${l}\n`) : undefined }).then(
    () => process.stderr.write(`fake ${chip} ROM bootloader listening on ${path} (Ctrl-C to stop)\n`),
    (err: unknown) => {
      process.stderr.write(`fake-rom: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
