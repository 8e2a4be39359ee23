// UF2 (https://github.com/microsoft/uf2) as the RP2040 / RP2350 bootrom takes it: 512-byte blocks,
// little-endian: magic 0x0A324655, magic 0x9E5D5157, flags, target address, payload size, block number,
// total blocks, family id (flag 0x2000), 476 data bytes, end magic 0x0AB16F30.

export const UF2_BLOCK_SIZE = 512;
export const UF2_DATA_SIZE = 476;
export const UF2_MAGIC_START0 = 0x0a324655;
export const UF2_MAGIC_START1 = 0x9e5d5157;
export const UF2_MAGIC_END = 0x0ab16f30;

export const FLAG_NOT_MAIN_FLASH = 0x00000001;
export const FLAG_FILE_CONTAINER = 0x00001000;
export const FLAG_FAMILY_ID_PRESENT = 0x00002000;
export const FLAG_MD5_PRESENT = 0x00004000;
export const FLAG_EXTENSION_TAGS = 0x00008000;
const KNOWN_FLAGS = FLAG_NOT_MAIN_FLASH | FLAG_FILE_CONTAINER | FLAG_FAMILY_ID_PRESENT | FLAG_MD5_PRESENT | FLAG_EXTENSION_TAGS;

export const FAMILY_RP2040 = 0xe48bff56;
/** picotool's RP2350-E10 workaround block ("absolute" family, at 0x10FFFF00, numbered 0 of 2, to be ignored). */
export const FAMILY_ABSOLUTE = 0xe48bff57;
export const FAMILY_DATA = 0xe48bff58;
export const FAMILY_RP2350_ARM_S = 0xe48bff59;
export const FAMILY_RP2350_RISCV = 0xe48bff5a;
export const FAMILY_RP2350_ARM_NS = 0xe48bff5b;

export const FAMILIES: Readonly<Record<number, { name: string; chip: 'RP2040' | 'RP2350' }>> = {
  [FAMILY_RP2040]: { name: 'RP2040', chip: 'RP2040' },
  [FAMILY_RP2350_ARM_S]: { name: 'RP2350 ARM secure', chip: 'RP2350' },
  [FAMILY_RP2350_RISCV]: { name: 'RP2350 RISC-V', chip: 'RP2350' },
  [FAMILY_RP2350_ARM_NS]: { name: 'RP2350 ARM non-secure', chip: 'RP2350' },
  [FAMILY_DATA]: { name: 'RP2 data', chip: 'RP2350' },
};

/** XIP flash window: RP2040 and RP2350 map up to 16 MiB of flash at 0x10000000. */
export const FLASH_START = 0x10000000;
export const FLASH_END = 0x11000000;
export const PAYLOAD_SIZE = 256;
export const ABSOLUTE_BLOCK_ADDRESS = 0x10ffff00;

export type Uf2ErrorKind = 'empty' | 'size' | 'magic' | 'flags' | 'family' | 'payload' | 'numbering' | 'total' | 'address' | 'overlap';

export class Uf2Error extends Error {
  override name = 'Uf2Error';
  constructor(readonly kind: Uf2ErrorKind, message: string, readonly block?: number) {
    super(message);
  }
}

export interface Uf2Block {
  index: number;
  flags: number;
  address: number;
  payloadSize: number;
  blockNo: number;
  numBlocks: number;
  family: number;
  data: Uint8Array;
}

export interface Uf2Summary {
  /** blocks in the file */
  blocks: number;
  /** blocks that are written to flash */
  flashBlocks: number;
  family: number;
  familyName: string;
  chip: 'RP2040' | 'RP2350';
  /** lowest and highest flash address written (end exclusive) */
  start: number;
  end: number;
  /** picotool's RP2350-E10 absolute block, if present (ignored by the bootrom) */
  absoluteBlocks: number;
  /** blocks flagged "not main flash" (ignored) */
  ignoredBlocks: number;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

function where(i: number): string {
  return `block ${i} (file offset ${hex(i * UF2_BLOCK_SIZE)})`;
}

export function parseBlock(bytes: Uint8Array, index: number): Uf2Block {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + index * UF2_BLOCK_SIZE, UF2_BLOCK_SIZE);
  const m0 = dv.getUint32(0, true);
  const m1 = dv.getUint32(4, true);
  const mEnd = dv.getUint32(508, true);
  if (m0 !== UF2_MAGIC_START0) throw new Uf2Error('magic', `${where(index)}: bad first magic ${hex(m0)} (expected ${hex(UF2_MAGIC_START0)})`, index);
  if (m1 !== UF2_MAGIC_START1) throw new Uf2Error('magic', `${where(index)}: bad second magic ${hex(m1)} (expected ${hex(UF2_MAGIC_START1)})`, index);
  if (mEnd !== UF2_MAGIC_END) throw new Uf2Error('magic', `${where(index)}: bad end magic ${hex(mEnd)} (expected ${hex(UF2_MAGIC_END)})`, index);
  return {
    index,
    flags: dv.getUint32(8, true),
    address: dv.getUint32(12, true),
    payloadSize: dv.getUint32(16, true),
    blockNo: dv.getUint32(20, true),
    numBlocks: dv.getUint32(24, true),
    family: dv.getUint32(28, true),
    data: bytes.subarray(index * UF2_BLOCK_SIZE + 32, index * UF2_BLOCK_SIZE + 32 + UF2_DATA_SIZE),
  };
}

function isAbsoluteBlock(b: Uf2Block): boolean {
  return b.family === FAMILY_ABSOLUTE;
}

/**
 * Check a UF2 file for an RP2040 / RP2350 before it is copied: magics, flags, family, payload size, block
 * numbering and total, 256-byte aligned addresses inside the flash window, no overlapping blocks.
 * Throws a Uf2Error naming the first bad block.
 */
export function validateUf2(bytes: Uint8Array): Uf2Summary {
  if (bytes.length === 0) throw new Uf2Error('empty', 'the UF2 file is empty');
  if (bytes.length % UF2_BLOCK_SIZE !== 0) {
    throw new Uf2Error('size', `the UF2 file is ${bytes.length} bytes, not a multiple of ${UF2_BLOCK_SIZE}: truncated or not a UF2 file`);
  }
  const count = bytes.length / UF2_BLOCK_SIZE;
  let family: number | undefined;
  let total: number | undefined;
  let firstMain = -1;
  let expectNo = 0;
  let absoluteBlocks = 0;
  let ignoredBlocks = 0;
  const ranges: Array<{ start: number; end: number; index: number }> = [];

  for (let i = 0; i < count; i++) {
    const b = parseBlock(bytes, i);
    if (b.flags & ~KNOWN_FLAGS) throw new Uf2Error('flags', `${where(i)}: unknown flag bits ${hex(b.flags & ~KNOWN_FLAGS)} (flags ${hex(b.flags)})`, i);
    if (b.flags & FLAG_FILE_CONTAINER) throw new Uf2Error('flags', `${where(i)}: this is a UF2 file container (flag 0x1000), not a firmware image`, i);
    if (!(b.flags & FLAG_FAMILY_ID_PRESENT)) {
      throw new Uf2Error('flags', `${where(i)}: no family id (flag 0x2000 not set): the RP2040/RP2350 bootrom needs one`, i);
    }
    if (b.flags & FLAG_NOT_MAIN_FLASH) {
      ignoredBlocks++;
      continue;
    }
    if (isAbsoluteBlock(b)) {
      // picotool --abs-block / the RP2350-E10 workaround: one block at 0x10FFFF00, "0 of 2", that the bootrom ignores
      if (b.address !== ABSOLUTE_BLOCK_ADDRESS || b.payloadSize !== PAYLOAD_SIZE) {
        throw new Uf2Error('address', `${where(i)}: absolute-family block at ${hex(b.address)} with payload ${b.payloadSize}: only picotool's RP2350-E10 block (${hex(ABSOLUTE_BLOCK_ADDRESS)}, 256 bytes) is expected`, i);
      }
      absoluteBlocks++;
      continue;
    }
    if (!(b.family in FAMILIES)) {
      throw new Uf2Error('family', `${where(i)}: family id ${hex(b.family)} is not an RP2040/RP2350 family (RP2040 is ${hex(FAMILY_RP2040)}, RP2350 ARM ${hex(FAMILY_RP2350_ARM_S)})`, i);
    }
    if (family === undefined) {
      family = b.family;
      total = b.numBlocks;
      firstMain = i;
    } else if (b.family !== family) {
      throw new Uf2Error('family', `${where(i)}: family id ${hex(b.family)} differs from block ${firstMain}'s ${hex(family)}`, i);
    }
    if (b.payloadSize !== PAYLOAD_SIZE) {
      throw new Uf2Error('payload', `${where(i)}: payload size ${b.payloadSize}, the RP2040/RP2350 bootrom takes only ${PAYLOAD_SIZE}`, i);
    }
    if (b.numBlocks !== total) {
      throw new Uf2Error('total', `${where(i)}: total block count ${b.numBlocks} differs from block ${firstMain}'s ${total}`, i);
    }
    if (b.blockNo !== expectNo) {
      const why = b.blockNo > expectNo ? `block(s) ${expectNo}..${b.blockNo - 1} missing` : 'duplicate or out of order';
      throw new Uf2Error('numbering', `${where(i)}: block number ${b.blockNo}, expected ${expectNo} (${why})`, i);
    }
    if (b.blockNo >= b.numBlocks) {
      throw new Uf2Error('total', `${where(i)}: block number ${b.blockNo} is not below the total ${b.numBlocks}`, i);
    }
    expectNo++;
    if (b.address % PAYLOAD_SIZE !== 0) {
      throw new Uf2Error('address', `${where(i)}: target address ${hex(b.address)} is not ${PAYLOAD_SIZE}-byte aligned`, i);
    }
    if (b.address < FLASH_START || b.address + b.payloadSize > FLASH_END) {
      throw new Uf2Error('address', `${where(i)}: target address ${hex(b.address)} is outside flash (${hex(FLASH_START)}..${hex(FLASH_END)})`, i);
    }
    ranges.push({ start: b.address, end: b.address + b.payloadSize, index: i });
  }
  if (family === undefined || total === undefined) throw new Uf2Error('empty', 'the UF2 file has no block to write to flash');
  if (expectNo !== total) {
    throw new Uf2Error('total', `the blocks say there are ${total} in all, but the file holds ${expectNo} (numbered 0..${expectNo - 1}): truncated?`, firstMain);
  }
  ranges.sort((a, b) => a.start - b.start);
  for (let k = 1; k < ranges.length; k++) {
    const prev = ranges[k - 1]!;
    const cur = ranges[k]!;
    if (cur.start < prev.end) {
      throw new Uf2Error('overlap', `${where(cur.index)}: target ${hex(cur.start)} overlaps ${where(prev.index)} (${hex(prev.start)}..${hex(prev.end)})`, cur.index);
    }
  }
  const fam = FAMILIES[family]!;
  return {
    blocks: count,
    flashBlocks: ranges.length,
    family,
    familyName: fam.name,
    chip: fam.chip,
    start: ranges[0]!.start,
    end: ranges[ranges.length - 1]!.end,
    absoluteBlocks,
    ignoredBlocks,
  };
}

export interface BuildUf2Options {
  base?: number;
  family?: number;
  /** prepend picotool's RP2350-E10 absolute block */
  absoluteBlock?: boolean;
}

function block(fields: { flags: number; address: number; blockNo: number; numBlocks: number; family: number }, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(UF2_BLOCK_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, UF2_MAGIC_START0, true);
  dv.setUint32(4, UF2_MAGIC_START1, true);
  dv.setUint32(8, fields.flags, true);
  dv.setUint32(12, fields.address, true);
  dv.setUint32(16, PAYLOAD_SIZE, true);
  dv.setUint32(20, fields.blockNo, true);
  dv.setUint32(24, fields.numBlocks, true);
  dv.setUint32(28, fields.family, true);
  out.set(payload.subarray(0, PAYLOAD_SIZE), 32);
  dv.setUint32(508, UF2_MAGIC_END, true);
  return out;
}

/** Make a UF2 from a flat binary (256 bytes a block), as elf2uf2/picotool do. */
export function buildUf2(bin: Uint8Array, options: BuildUf2Options = {}): Uint8Array {
  const base = options.base ?? FLASH_START;
  const family = options.family ?? FAMILY_RP2040;
  const n = Math.ceil(bin.length / PAYLOAD_SIZE);
  const blocks: Uint8Array[] = [];
  if (options.absoluteBlock) {
    const payload = new Uint8Array(PAYLOAD_SIZE + 4).fill(0xef);
    new DataView(payload.buffer).setUint32(PAYLOAD_SIZE, 0x9957e304, true); // UF2_EXTENSION_RP2_IGNORE_BLOCK
    const b = block({ flags: FLAG_FAMILY_ID_PRESENT | FLAG_EXTENSION_TAGS, address: ABSOLUTE_BLOCK_ADDRESS, blockNo: 0, numBlocks: 2, family: FAMILY_ABSOLUTE }, payload);
    b.set(payload.subarray(PAYLOAD_SIZE), 32 + PAYLOAD_SIZE);
    blocks.push(b);
  }
  for (let i = 0; i < n; i++) {
    const chunk = new Uint8Array(PAYLOAD_SIZE);
    chunk.set(bin.subarray(i * PAYLOAD_SIZE, (i + 1) * PAYLOAD_SIZE));
    blocks.push(block({ flags: FLAG_FAMILY_ID_PRESENT, address: base + i * PAYLOAD_SIZE, blockNo: i, numBlocks: n, family }, chunk));
  }
  const out = new Uint8Array(blocks.length * UF2_BLOCK_SIZE);
  blocks.forEach((b, i) => out.set(b, i * UF2_BLOCK_SIZE));
  return out;
}
