// The Pico's edge capture (edges.c): a GPIO interrupt handler time-stamps edges with time_us_64() (the
// clock of `Time.microseconds`, micros.c) into a ring, and the main loop hands them to JS in batches. Plain
// JS because the host-function syntax (`function f() @ "name"`) is XS-only; edges.d.ts has the typings.
// The manifest maps "xs-async/firmware/platform/native-edges" to this module on the Pico (the ESP32 gets
// ../esp32/edges, which has none), and moddable/platform/moddable's useModdable() installs it.
function open(pin, edge, callback) @ "xs_edges_open";
function drain() @ "xs_edges_drain";
function overruns(pin) @ "xs_edges_overruns";
function close(pin) @ "xs_edges_close";
function micros() @ "xs_pico_micros";

function openSource(pin, edge, onEdge) {
  let open_ = true;
  let lost = 0;
  // runs from the main loop's message (outside tasks): an exception here would abort XS, so none leaves
  const deliver = (level, us) => {
    try {
      onEdge(level, us);
    } catch (e) {
      trace(`edge capture: pin ${pin} callback failed: ${e}\n`);
    }
  };
  open(pin, edge, deliver);
  return {
    get overruns() {
      return open_ ? overruns(pin) : lost;
    },
    drain,
    close() {
      if (!open_) return;
      lost = overruns(pin);
      open_ = false;
      close(pin);
    },
  };
}

export const nativeEdgeCapture = Object.freeze({
  name: "pico gpio irq",
  open: openSource,
  nowUs: micros,
});

export default nativeEdgeCapture;
