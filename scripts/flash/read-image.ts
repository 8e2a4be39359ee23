// Reading a firmware image for the flash tools: a regular file of bounded size, or a one-line reason.
// (A directory used to give a 10-line EISDIR stack, and /dev/zero was read until memory ran out.)
import * as fs from "node:fs";

/** Largest image accepted: a 16 MB flash as UF2 (512-byte blocks carrying 256 bytes each). */
export const MAX_IMAGE_BYTES = 32 * 1024 * 1024;

/** The bytes of `file`, or an Error with a one-line reason (missing, a directory, a device, too large). */
export function readImage(file: string, maxBytes = MAX_IMAGE_BYTES): Uint8Array {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new Error(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (st.isDirectory()) throw new Error(`${file} is a directory, not an image file`);
  if (!st.isFile()) throw new Error(`${file} is not a regular file (a device, pipe or socket): give the image file`);
  if (st.size > maxBytes) throw new Error(`${file} is ${st.size} bytes, larger than any image (at most ${maxBytes})`);
  return new Uint8Array(fs.readFileSync(file));
}
