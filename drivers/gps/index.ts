/** GPS receiver (NMEA 0183 over a UART): see docs/drivers.md, "GPS". */
export { Gps, type GpsFix, type GpsOptions, type GpsStats } from "./gps";
export { NMEA_BAD, coordinate, dateMs, nmeaChecksum, nmeaSentence, numberField, splitSentence, timeOfDayMs } from "./nmea";
