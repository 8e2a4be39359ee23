// Typings for uart.js (Pico only: the manifest maps "xs-async/firmware/platform/native-serial" to it there).
import type { SerialConstructor } from "../io";

/** The Pico's UART ports on this project's interrupt handler (uart.c), with the ECMA-419 Serial interface. */
export declare const nativeSerial: SerialConstructor;
export default nativeSerial;
