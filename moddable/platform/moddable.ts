// The module "xs-async/platform/moddable" in a Moddable build (manifest_include.json): the package entry point, by its
// module name inside the build. Node resolves "xs-async/platform/moddable" through package.json "exports" instead.
// Here useModdable() also installs the platform's native edge capture for `device.io.Digital` (the Pico's GPIO
// IRQ ring; the ESP32 has none: "xs-async/firmware/platform/native-edges" maps per platform), and the Pico's own
// UART class as `board().io.Serial` (Moddable's pico Serial frees a busy port: firmware/platform/pico/uart.c;
// the ESP32 keeps Moddable's: "xs-async/firmware/platform/native-serial" maps per platform).
import { useEdgeCapture } from "xs-async/firmware/platform/edges";
import { useSerial } from "xs-async/firmware/platform/io";
import { useModdable as useModdableHost, type ModdableHost } from "xs-async/firmware/platform/moddable";
import { nativeEdgeCapture } from "xs-async/firmware/platform/native-edges";
import { nativeSerial } from "xs-async/firmware/platform/native-serial";

export * from "xs-async/firmware/platform/moddable";

export function useModdable(): ModdableHost {
  const host = useModdableHost();
  useEdgeCapture(device.io.Digital, nativeEdgeCapture);
  useSerial(nativeSerial);
  return host;
}
