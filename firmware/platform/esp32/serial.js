// The ESP32 keeps Moddable's Serial (`device.io.Serial`): the reference-count fault of Moddable's pico port
// (../pico/uart.c) is in that port's code only. The manifest maps "xs-async/firmware/platform/native-serial"
// here on the ESP32.
export const nativeSerial = null;
export default nativeSerial;
