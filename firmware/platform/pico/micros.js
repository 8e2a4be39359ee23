// The Pico's microsecond clock (µs since boot, the Pico SDK's time_us_64(), never wraps): micros.c.
// It also installs the `Time.microseconds` getter that Moddable's microseconds module gives on the ESP32,
// so firmware/main.ts reads one clock on both boards. Plain JS because the host-function syntax
// (`function f() @ "name"`) is XS-only; micros.d.ts has the typings. The manifest preloads it on the Pico.
import Time from "time";

function micros() @ "xs_pico_micros";

Object.defineProperty(Time, "microseconds", { enumerable: true, get: micros });

export { micros };
