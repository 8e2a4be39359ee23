/** NEC infrared remotes: a receiver task on a pin's edges, and the frame decoder. See docs/drivers.md. */
export { NecReceiver, NecResults, type NecReceiverOptions } from "./receiver";
export { NEC, decodeNec, FRAME_EDGES, REPEAT_EDGES, type NecCode } from "./decode";
