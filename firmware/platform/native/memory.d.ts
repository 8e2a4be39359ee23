// Typings for memory.js (device builds only: manifest_include.json lists it for esp32 and pico).

/**
 * XS heap figures: a garbage collection first if `gc`, then [slot bytes in use, slot bytes reserved, chunk bytes
 * in use, chunk bytes reserved, chunk bytes peak, unclaimed bytes of the static XS area (-1 without one), system
 * heap free, largest free system block].
 */
export declare function xsMemory(gc: boolean): number[];
