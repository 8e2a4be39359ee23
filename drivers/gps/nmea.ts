/**
 * NMEA 0183 sentence parsing, pure functions (no IO, no scheduler): the checksum, the split into fields,
 * and the field formats of the sentences the GPS driver reads (RMC, GGA, VTG, GSV, GLL).
 * Memory: splitting a sentence allocates its fields (one string each); the numbers are parsed in place.
 */

/** Why a line was not taken as a sentence (see {@link splitSentence}). */
export const NMEA_BAD = Object.freeze({ FORMAT: "format", CHECKSUM: "checksum" } as const);

/** XOR of the characters of `text` from `start` up to (not including) `end`: the NMEA checksum. */
export function nmeaChecksum(text: string, start = 0, end = text.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum ^= text.charCodeAt(i) & 0x7f;
  return sum;
}

/** `body` ("GPRMC,...") made into a sentence with its checksum: `$body*HH\r\n`. */
export function nmeaSentence(body: string): string {
  const sum = nmeaChecksum(body);
  return `$${body}*${sum < 16 ? "0" : ""}${sum.toString(16).toUpperCase()}\r\n`;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Check a line ("$GPRMC,...*HH", with or without "\r\n") and split it into fields: [address, field1, ...]
 * where address is talker + type ("GPRMC"). Returns `NMEA_BAD.FORMAT` for a line that is not a sentence
 * (no "$", no "*HH", non-printable characters) and `NMEA_BAD.CHECKSUM` when the checksum does not match.
 */
export function splitSentence(line: string): string[] | "format" | "checksum" {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 10 || line.charCodeAt(end - 1) === 13)) end--;
  if (end < 9 || line.charCodeAt(0) !== 36 /* $ */ || line.charCodeAt(end - 3) !== 42 /* * */) return NMEA_BAD.FORMAT;
  for (let i = 1; i < end - 3; i++) {
    const c = line.charCodeAt(i);
    if (c < 32 || c > 126 || c === 36 || c === 42) return NMEA_BAD.FORMAT;
  }
  const hi = hexDigit(line.charCodeAt(end - 2));
  const lo = hexDigit(line.charCodeAt(end - 1));
  if (hi < 0 || lo < 0) return NMEA_BAD.FORMAT;
  if (nmeaChecksum(line, 1, end - 3) !== hi * 16 + lo) return NMEA_BAD.CHECKSUM;
  const fields = line.slice(1, end - 3).split(",");
  if (fields[0]!.length < 5) return NMEA_BAD.FORMAT;
  return fields;
}

/** A number field; NaN when empty or not a number. */
export function numberField(s: string | undefined): number {
  if (s === undefined || s === "") return NaN;
  const v = Number(s);
  return v === v ? v : NaN;
}

/**
 * Latitude or longitude in degrees from "ddmm.mmmm" / "dddmm.mmmm" and its hemisphere letter (S and W
 * negative). NaN when a field is empty or malformed.
 */
export function coordinate(value: string | undefined, hemisphere: string | undefined, maxDegrees: number): number {
  const v = numberField(value);
  if (!(v >= 0)) return NaN;
  const degrees = Math.floor(v / 100);
  const minutes = v - degrees * 100;
  if (minutes >= 60 || degrees > maxDegrees) return NaN;
  const d = degrees + minutes / 60;
  if (d > maxDegrees) return NaN;
  if (hemisphere === "N" || hemisphere === "E") return d;
  if (hemisphere === "S" || hemisphere === "W") return -d;
  return NaN;
}

/** ms since midnight UTC from "hhmmss(.sss)"; NaN when malformed. */
export function timeOfDayMs(s: string | undefined): number {
  if (s === undefined || s.length < 6) return NaN;
  const h = numberField(s.slice(0, 2));
  const m = numberField(s.slice(2, 4));
  const sec = numberField(s.slice(4));
  if (!(h >= 0 && h < 24 && m >= 0 && m < 60 && sec >= 0 && sec < 61)) return NaN;
  return Math.round(((h * 60 + m) * 60 + sec) * 1000);
}

/** ms since 1970-01-01 UTC of the date "ddmmyy" (years 2000-2099, and 80-99 as 1980-1999); NaN when malformed. */
export function dateMs(s: string | undefined): number {
  if (s === undefined || s.length !== 6) return NaN;
  const d = numberField(s.slice(0, 2));
  const m = numberField(s.slice(2, 4));
  const y = numberField(s.slice(4, 6));
  if (!(d >= 1 && d <= 31 && m >= 1 && m <= 12 && y >= 0)) return NaN;
  return Date.UTC(y >= 80 ? 1900 + y : 2000 + y, m - 1, d);
}
