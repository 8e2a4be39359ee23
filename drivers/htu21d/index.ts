/** HTU21D temperature and humidity sensor (I2C, 0x40) on a shared bus. */
export {
  HTU21D,
  CrcError,
  Resolution,
  HTU21D_ADDRESS,
  HTU21D_COMMAND,
  HTU21D_USER,
  HTU21D_CONVERSION_MS,
  HTU21D_RESET_MS,
  htu21dCrc,
  temperatureFromRaw,
  humidityFromRaw,
  type HTU21DOptions,
  type HTU21DSettings,
  type HTU21DSample,
  type HTU21DReading,
  type HTU21DStats,
} from "./htu21d";
