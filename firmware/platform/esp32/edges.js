// The ESP32 has no native edge capture yet: ESP-IDF cannot be built where this project is developed, and
// no C ships that no compiler has seen. Pins on the ESP32 take the JS pin callback path (PinEdges reads the
// time in the callback). The manifest maps "xs-async/firmware/platform/native-edges" here on the ESP32.
export const nativeEdgeCapture = null;
export default nativeEdgeCapture;
