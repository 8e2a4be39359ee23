/**
 * UART streams on an ECMA-419 Serial: {@link Uart} builds the port and gives a {@link UartReader}
 * (read, readExactly, readLine, async iteration of lines) and a {@link UartWriter} (write with
 * back-pressure, drain); {@link HalfDuplex} runs AT-style command/response exchanges. See docs/uart.md.
 */
export { Uart, type UartSerialOptions } from "./uart";
export { keepOpen } from "./keep-open";
export { UartReader, LineTooLongError, UartOverflowError, type OverflowPolicy, type ReaderOptions } from "./reader";
export { UartWriter } from "./writer";
export { HalfDuplex, type HalfDuplexOptions, type CommandOptions } from "./halfduplex";
