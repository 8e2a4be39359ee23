// Typings for edges.js (Pico only: the manifest maps "xs-async/firmware/platform/native-edges" to it there).
import type { EdgeCapture } from "../edges";

/** Edges time-stamped by a GPIO interrupt handler (edges.c), on the clock of `Time.microseconds`. */
export declare const nativeEdgeCapture: EdgeCapture;
export default nativeEdgeCapture;
