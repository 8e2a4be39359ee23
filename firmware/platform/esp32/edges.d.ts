// Typings for edges.js (the ESP32: no native edge capture).
export declare const nativeEdgeCapture: null;
export default nativeEdgeCapture;
