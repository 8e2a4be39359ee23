/**
 * The ECMA-419 IO classes the drivers use, as interfaces (faithful to Moddable SDK 8.2.3's typings and
 * ../shared/reference/moddable.md). Moddable's own typings are not on npm; on the device the classes come
 * from `device.io`, on the host from the simulated board (sim/). Drivers take constructors or instances
 * of these types, never the platform itself.
 */

/** Bytes accepted by write(): an ArrayBuffer or a view on one. */
export type ByteBuffer = ArrayBuffer | ArrayBufferView;

// ---- embedded:io/digital -------------------------------------------------------------------
export interface DigitalOptions {
  pin: number;
  mode: number;
  /** Rising = 1, Falling = 2, both = 3. */
  edge?: number;
  /** Runs on the main loop (not in a hard interrupt) after an edge. */
  onReadable?: (this: Digital) => void;
  activeLow?: boolean;
  initialValue?: 0 | 1;
}
export interface Digital {
  read(): 0 | 1;
  write(value: 0 | 1): void;
  close(): void;
}
export interface DigitalConstructor {
  new (options: DigitalOptions): Digital;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly InputPullUpDown: number;
  readonly Output: number;
  readonly OutputOpenDrain: number;
  readonly Rising: number;
  readonly Falling: number;
}

// ---- embedded:io/serial --------------------------------------------------------------------
export interface SerialOptions {
  receive?: number;
  transmit?: number;
  baud: number;
  port?: number;
  flowControl?: "hardware" | "none";
  /** Called with the number of bytes available to read. */
  onReadable?: (this: Serial, bytes: number) => void;
  /** Called with the number of bytes that can be written without throwing. */
  onWritable?: (this: Serial, bytes: number) => void;
  format?: "number" | "buffer";
}
export interface Serial {
  /** format "buffer": read(n) returns up to n bytes as an ArrayBuffer (undefined if none). */
  read(byteLength?: number): number | ArrayBuffer | undefined;
  /** Throws if `value` does not fit in the transmit buffer: wait for onWritable. */
  write(value: number | ByteBuffer): void;
  flush(): void;
  set(options: { break?: boolean; requestToSend?: boolean; dataTerminalReady?: boolean }): void;
  close(): void;
  format: "number" | "buffer";
}
export interface SerialConstructor {
  new (options: SerialOptions): Serial;
}

// ---- embedded:io/i2c and smbus -------------------------------------------------------------
export interface I2COptions {
  data: number;
  clock: number;
  hz: number;
  address: number;
  port?: number;
}
export interface I2C {
  /** Throws if the device does not acknowledge. */
  write(buffer: ByteBuffer, stop?: boolean): void;
  /** Throws if the device does not acknowledge. */
  read(byteLength: number, stop?: boolean): ArrayBuffer;
  close(): void;
}
export interface I2CConstructor {
  new (options: I2COptions): I2C;
}
export interface SMBus extends I2C {
  readUint8(register: number): number;
  writeUint8(register: number, value: number): void;
  readUint16(register: number, bigEndian?: boolean): number;
  writeUint16(register: number, value: number, bigEndian?: boolean): void;
  readBuffer(register: number, byteLength: number): ArrayBuffer;
  writeBuffer(register: number, buffer: ByteBuffer): void;
  sendByte(command: number): void;
  receiveByte(): number;
}
export interface SMBusConstructor {
  new (options: I2COptions): SMBus;
}

// ---- embedded:io/analog -------------------------------------------------------------------
export interface AnalogOptions {
  pin: number;
}
export interface Analog {
  /** One conversion: 0 .. 2^resolution - 1. */
  read(): number;
  /** Bits per reading (12 on the ESP32 and the Pico). */
  readonly resolution: number;
  close(): void;
}
export interface AnalogConstructor {
  new (options: AnalogOptions): Analog;
}

/** The shape of Moddable's `device` global that this project uses; the simulated board has the same. */
export interface Board {
  readonly io: {
    readonly Digital: DigitalConstructor;
    readonly Serial?: SerialConstructor;
    readonly I2C?: I2CConstructor;
    readonly SMBus?: SMBusConstructor;
    readonly Analog?: AnalogConstructor;
    /**
     * Not ECMA-419: a touch pad reader class (drivers/touch's TouchReaderConstructor: `new Touch({ pin })`,
     * `read()` the pad's capacitance), where the board has touch pads (the simulated board; an ESP32-S2/S3
     * firmware can add drivers/touch's moddableTouchReader).
     */
    readonly Touch?: new (options: { pin: number }) => { read(): number; close(): void };
  };
  readonly pin: { readonly [name: string]: number };
  readonly I2C?: { readonly default?: Partial<I2COptions> };
  readonly Serial?: { readonly default?: Partial<SerialOptions> };
}

let platformSerial: SerialConstructor | null = null;
let boardSeen: Board | null = null;
let boardWithPlatformSerial: Board | null = null;

/**
 * Make `Serial` the board's `io.Serial` (what `board()` returns), in place of the `device` global's:
 * moddable/platform/moddable's useModdable() installs the Pico's own UART class this way, because
 * Moddable's pico Serial (SDK 8.2.3) frees a port still in use when two ports are busy (see
 * firmware/platform/pico/uart.c). `null` gives the `device` global's back. Code that reads
 * `device.io.Serial` itself still gets Moddable's.
 */
export function useSerial(Serial: SerialConstructor | null): void {
  platformSerial = Serial;
  boardSeen = null;
  boardWithPlatformSerial = null;
}

/** The board the firmware runs on: Moddable's `device` on a device, the simulated board on the host. */
export function board(): Board {
  const d = (globalThis as unknown as { device?: Board }).device;
  if (d === undefined) throw new Error("no board: on the host, install a simulated board first (sim/)");
  if (platformSerial === null) return d;
  if (boardSeen !== d || boardWithPlatformSerial === null) {
    boardSeen = d;
    boardWithPlatformSerial = { ...d, io: { ...d.io, Serial: platformSerial } };
  }
  return boardWithPlatformSerial;
}
