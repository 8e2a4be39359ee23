import type { Serial, SerialConstructor, SerialOptions } from "../../firmware/platform/io";
import { UartReader, type ReaderOptions } from "./reader";
import { UartWriter } from "./writer";

/**
 * The port options a Uart passes on to the Serial constructor: everything but the callbacks and the
 * format, which the Uart sets. Extra fields reach the constructor unchanged (the simulator's buffer
 * sizes, for instance).
 */
export type UartSerialOptions = Omit<SerialOptions, "onReadable" | "onWritable" | "format"> & { readonly [extra: string]: unknown };

/**
 * A UART port as scheduler operations. It takes the Serial constructor and its options (ECMA-419 takes
 * onReadable/onWritable at construction, so the driver builds the port itself; drivers receive their IO
 * constructor, never the platform) and opens the port in format "buffer" with:
 * - onReadable → `reader` moves the bytes into its bounded buffer and wakes readers;
 * - onWritable → `writer` records the free space and wakes the writer.
 * Both callbacks only record and signal; all reading, parsing and writing happens in tasks.
 *
 * `close()` closes the port (no callback fires afterwards) and ends every pending read and write with
 * ClosedError; it is safe twice. If the Serial constructor throws, nothing is left open.
 * Memory: the Serial, the reader's buffer (options.bufferSize, default 512 bytes) and two small objects.
 * @example
 *   import { Uart } from "./drivers/uart/index";
 *   const uart = new Uart(board().io.Serial!, { ...board().Serial?.default, port: 1, baud: 115200 }, { bufferSize: 1024 });
 *   yield* uart.writer.write("hello\n");
 *   const reply = yield* failAfter(500, function* () { return yield* uart.reader.readLine(); });
 *   uart.close();
 */
export class Uart {
  readonly serial: Serial;
  readonly reader: UartReader;
  readonly writer: UartWriter;
  private closed = false;

  constructor(Serial: SerialConstructor, serialOptions: UartSerialOptions, options: ReaderOptions = {}) {
    const reader = new UartReader(options);
    const writer = new UartWriter();
    const serial = new Serial({
      ...(serialOptions as SerialOptions),
      format: "buffer",
      onReadable: (count: number) => reader.fill(count),
      onWritable: (bytes: number) => writer.room(bytes),
    });
    reader.attach(serial);
    writer.attach(serial);
    this.serial = serial;
    this.reader = reader;
    this.writer = writer;
  }

  /** True after close(). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Close the port; pending reads and writes end with ClosedError. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.serial.close();
    } finally {
      this.reader.close();
      this.writer.close();
    }
  }
}
