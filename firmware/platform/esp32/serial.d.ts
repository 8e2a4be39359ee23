// Typings for serial.js (the ESP32: Moddable's Serial stays the board's).
export declare const nativeSerial: null;
export default nativeSerial;
