/** Digital pin drivers: edge streams with µs timestamps. */
export { PinEdges, type Edge, type PinEdgesOptions } from "./edges";
export { keepPinsOpen } from "./keep-open";
