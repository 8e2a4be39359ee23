// Node only: attach the far end of a simulated UART to this process's stdin/stdout, so a person (or a
// pipe) can talk to the firmware's serial port under `npm start`.
import type { SimSerialPort } from "../sim/serial";

/**
 * Bytes typed on stdin arrive at the port at its line rate; what the port transmits is written to
 * stdout. Returns a function that detaches both directions. Call it while the scheduler runs (the
 * port's clock is the scheduler's); stdin callbacks are IO callbacks, which the scheduler allows.
 * @example
 *   const uart = new Uart(SimSerialPort, { baud: 115200 });
 *   const detach = attachStdio(uart.serial as SimSerialPort);
 */
export function attachStdio(port: SimSerialPort, stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout): () => void {
  let attached = true;
  const onData = (chunk: Buffer | string): void => {
    if (!attached || port.isClosed) return;
    port.peer.send(typeof chunk === "string" ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };
  stdin.on("data", onData);
  port.peer.onData((bytes) => {
    if (attached) stdout.write(bytes);
  });
  return () => {
    attached = false;
    stdin.removeListener("data", onData);
    if (stdin === process.stdin) process.stdin.pause();
  };
}
