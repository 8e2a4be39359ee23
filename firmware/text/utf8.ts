/**
 * UTF-8 without TextEncoder (not a global on every Moddable build): measure, write into a ring of bytes,
 * read back. Lone surrogates are written as U+FFFD; invalid bytes read back as U+FFFD.
 */

/** Bytes needed for `s` in UTF-8, and how many UTF-16 units of `s` fit in `max` bytes (never splitting a character). */
export function utf8Fit(s: string, max: number): { bytes: number; units: number } {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let n: number;
    let u = 1;
    if (c < 0x80) n = 1;
    else if (c < 0x800) n = 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n = 4;
      u = 2;
    } else n = 3;
    if (bytes + n > max) break;
    bytes += n;
    i += u;
  }
  return { bytes, units: i };
}

/** Write the first `units` UTF-16 units of `s` into `buf` at `pos` (modulo its length); returns the next position. */
export function utf8Write(s: string, units: number, buf: Uint8Array, pos: number): number {
  const size = buf.length;
  const put = (b: number): void => {
    buf[pos] = b;
    pos = pos + 1 === size ? 0 : pos + 1;
  };
  for (let i = 0; i < units; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) put(c);
    else if (c < 0x800) {
      put(0xc0 | (c >> 6));
      put(0x80 | (c & 63));
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < units && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      put(0xf0 | (c >> 18));
      put(0x80 | ((c >> 12) & 63));
      put(0x80 | ((c >> 6) & 63));
      put(0x80 | (c & 63));
    } else {
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      put(0xe0 | (c >> 12));
      put(0x80 | ((c >> 6) & 63));
      put(0x80 | (c & 63));
    }
  }
  return pos;
}

/** Decode `len` bytes of `buf` from `pos` (modulo its length). */
export function utf8Read(buf: ArrayLike<number>, pos: number, len: number): string {
  const size = buf.length;
  let out = "";
  let i = 0;
  const at = (k: number): number => buf[(pos + k) % size]!;
  while (i < len) {
    const b = at(i);
    let need = 0;
    let c = 0;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    } else if (b >= 0xc2 && b < 0xe0) {
      need = 1;
      c = b & 31;
    } else if (b >= 0xe0 && b < 0xf0) {
      need = 2;
      c = b & 15;
    } else if (b >= 0xf0 && b < 0xf5) {
      need = 3;
      c = b & 7;
    } else {
      out += "\ufffd";
      i++;
      continue;
    }
    let k = 1;
    for (; k <= need && i + k < len; k++) {
      const x = at(i + k);
      if ((x & 0xc0) !== 0x80) break;
      c = (c << 6) | (x & 63);
    }
    if (k <= need || (need === 2 && (c < 0x800 || (c >= 0xd800 && c < 0xe000))) || (need === 3 && (c < 0x10000 || c > 0x10ffff))) {
      out += "\ufffd";
      i += k;
      continue;
    }
    out += String.fromCodePoint(c);
    i += need + 1;
  }
  return out;
}

type NativeDecode = (buffer: ArrayBufferLike, offset: number, length: number) => string;
/** XS's own UTF-8 decoder (`String.fromArrayBuffer(buffer, offset, length)`, a Moddable extension), where there is one. */
const xsDecode = (String as unknown as { fromArrayBuffer?: NativeDecode }).fromArrayBuffer;

/**
 * {@link utf8Read} for bytes that {@link utf8Write} wrote (well-formed UTF-8) and that hold no NUL: on XS one
 * native call when they do not wrap around the end of `buf`, where utf8Read takes a few JS steps and a new
 * string per byte (a JS call alone costs about 18 µs on a Pico). Elsewhere, and for wrapped bytes, it is utf8Read.
 */
export function utf8ReadWritten(buf: Uint8Array, pos: number, len: number): string {
  if (xsDecode !== undefined && pos + len <= buf.length) return xsDecode(buf.buffer, buf.byteOffset + pos, len);
  return utf8Read(buf, pos, len);
}

/** `s` as UTF-8 bytes (TextEncoder's encode, portable to every Moddable build). */
export function utf8Encode(s: string): Uint8Array {
  const { bytes } = utf8Fit(s, Infinity);
  const out = new Uint8Array(bytes);
  utf8Write(s, s.length, out, 0);
  return out;
}

/** UTF-8 bytes as a string (TextDecoder's decode; invalid bytes become U+FFFD). */
export function utf8Decode(bytes: ArrayLike<number>): string {
  return utf8Read(bytes, 0, bytes.length);
}
