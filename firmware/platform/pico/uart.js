// The Pico's UART ports with the ECMA-419 Serial interface, on this project's own interrupt handler
// (uart.c): Moddable's pico Serial (SDK 8.2.3) frees the record of a port still in use after a few hundred
// messages when two ports are busy, and the emulated demo crashed on it (uart.c says how). The manifest
// maps "xs-async/firmware/platform/native-serial" to this module on the Pico (the ESP32 keeps Moddable's:
// ../esp32/serial), and moddable/platform/moddable's useModdable() makes it the board's `io.Serial`.
// Plain JS because the host-function syntax (`function f() @ "name"`) is XS-only; uart.d.ts has the typings.
//
// Behaviour (the simulator's Serial models the same, sim/serial.ts):
// - pins decide the port (UART0: GP0/1, 12/13, 16/17, 28/29; UART1: GP4/5, 8/9, 20/21, 24/25); `port`, if
//   given, must agree; 8N1 only; no flow control;
// - receive and transmit rings of 256 bytes each; onReadable(bytes waiting), onWritable(free space, also once
//   soon after construction);
// - format "buffer": read() returns every byte waiting as an ArrayBuffer, or undefined if none; read(n) n
//   bytes, and throws RangeError if fewer are waiting (read at most what onReadable reported); read(buffer)
//   fills the whole ArrayBuffer, same rule; format "number": read() one byte, or undefined;
// - write() of more than the free space throws RangeError, and writes nothing;
// - flush() drops the bytes waiting in both rings; after close() read/write throw and no callback fires.
function open(port, baud, transmit, receive, deliver) @ "xs_pico_serial_open";
function close(port) @ "xs_pico_serial_close";
function available(port) @ "xs_pico_serial_available";
function room(port) @ "xs_pico_serial_room";
function take(port, buffer, count) @ "xs_pico_serial_take";
function takeByte(port) @ "xs_pico_serial_take_byte";
function give(port, buffer, offset, count) @ "xs_pico_serial_give";
function giveByte(port, byte) @ "xs_pico_serial_give_byte";
function discard(port) @ "xs_pico_serial_discard";
function overruns(port) @ "xs_pico_serial_overruns";

const TRANSMIT_PINS = [[0, 12, 16, 28], [4, 8, 20, 24]];
const RECEIVE_PINS = [[1, 13, 17, 29], [5, 9, 21, 25]];

function pinOption(options, name) {
  const pin = options[name];
  if (pin === undefined) return -1;
  if (!Number.isInteger(pin) || pin < 0 || pin > 29) throw new RangeError(`Serial: ${name} must be a GPIO number 0..29, got ${pin}`);
  return pin;
}

function portOf(pin, table) {
  if (pin < 0) return -1;
  return table[0].includes(pin) ? 0 : table[1].includes(pin) ? 1 : -1;
}

function choosePort(options, transmit, receive) {
  const byTransmit = portOf(transmit, TRANSMIT_PINS);
  const byReceive = portOf(receive, RECEIVE_PINS);
  if (transmit >= 0 && byTransmit < 0) throw new RangeError(`Serial: GP${transmit} is no UART transmit pin`);
  if (receive >= 0 && byReceive < 0) throw new RangeError(`Serial: GP${receive} is no UART receive pin`);
  if (transmit < 0 && receive < 0) throw new RangeError("Serial: give a transmit pin, a receive pin, or both");
  if (byTransmit >= 0 && byReceive >= 0 && byTransmit !== byReceive) throw new RangeError(`Serial: GP${transmit} (UART${byTransmit}) and GP${receive} (UART${byReceive}) are on different ports`);
  const port = byTransmit >= 0 ? byTransmit : byReceive;
  if (options.port !== undefined && options.port !== port) throw new RangeError(`Serial: port ${options.port} does not match the pins (UART${port})`);
  return port;
}

function checkFormat(format) {
  if (format !== "buffer" && format !== "number") throw new RangeError(`Serial: format must be "buffer" or "number", got ${format}`);
  return format;
}

class PicoSerial {
  #port;
  #open = true;
  #format;

  constructor(options) {
    const baud = options.baud;
    if (!Number.isInteger(baud) || baud <= 0 || baud > 7812500) throw new RangeError(`Serial: baud must be a whole number in 1..7812500, got ${baud}`);
    if (options.flowControl !== undefined && options.flowControl !== "none") throw new RangeError(`Serial: flowControl ${options.flowControl} is not supported on the Pico`);
    const transmit = pinOption(options, "transmit");
    const receive = pinOption(options, "receive");
    this.#port = choosePort(options, transmit, receive);
    this.#format = checkFormat(options.format ?? "buffer");
    const onReadable = options.onReadable;
    const onWritable = options.onWritable;
    // runs from the main loop's message, outside tasks: an exception leaving it would abort XS (a reboot)
    const deliver = (readable, writable) => {
      try {
        if (readable > 0 && onReadable !== undefined && this.#open) onReadable.call(this, readable);
        if (writable > 0 && onWritable !== undefined && this.#open) onWritable.call(this, writable);
      } catch (e) {
        trace(`Serial UART${this.#port}: callback failed: ${e}\n`);
      }
    };
    open(this.#port, baud, transmit, receive, deliver);
  }

  get format() {
    return this.#format;
  }

  set format(value) {
    this.#format = checkFormat(value);
  }

  /** Times received bytes were lost because the receive ring stayed full (not ECMA-419). */
  get overruns() {
    return overruns(this.#port);
  }

  read(request) {
    const port = this.#live();
    const waiting = available(port);
    if (this.#format === "number") return waiting > 0 ? takeByte(port) : undefined;
    if (request === undefined) {
      if (waiting === 0) return undefined;
      const bytes = new ArrayBuffer(waiting);
      take(port, bytes, waiting);
      return bytes;
    }
    const into = typeof request === "object" ? request : undefined;
    const count = into !== undefined ? into.byteLength : request;
    if (!Number.isInteger(count) || count <= 0) throw new RangeError(`Serial: read(${request}): give a byte count >= 1 or an ArrayBuffer`);
    if (count > waiting) throw new RangeError(`Serial: read(${count}) with ${waiting} bytes buffered (read at most what onReadable reported)`);
    const bytes = into ?? new ArrayBuffer(count);
    take(port, bytes, count);
    return bytes;
  }

  write(value) {
    const port = this.#live();
    const free = room(port);
    if (typeof value === "number") {
      if (free < 1) throw new RangeError("Serial: write of 1 byte with 0 free (wait for onWritable)");
      giveByte(port, value & 0xff);
      return;
    }
    const buffer = ArrayBuffer.isView(value) ? value.buffer : value;
    const offset = ArrayBuffer.isView(value) ? value.byteOffset : 0;
    const count = value.byteLength;
    if (count > free) throw new RangeError(`Serial: write of ${count} bytes with ${free} free (wait for onWritable)`);
    if (count > 0) give(port, buffer, offset, count);
  }

  flush() {
    discard(this.#live());
  }

  set(options) {
    this.#live();
    for (const key of Object.keys(options)) throw new RangeError(`Serial: set({ ${key} }) is not supported on the Pico`);
  }

  close() {
    if (!this.#open) return;
    this.#open = false;
    close(this.#port);
  }

  #live() {
    if (!this.#open) throw new Error("Serial: closed");
    return this.#port;
  }
}

export const nativeSerial = PicoSerial;
export default nativeSerial;
