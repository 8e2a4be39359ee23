// Typings for micros.js (Pico only: the manifest lists it under "platforms" > "pico").

/** Microseconds since boot (the Pico SDK's time_us_64()); never wraps. Importing the module also defines `Time.microseconds`. */
export declare function micros(): number;
