// Fixtures for the flash tool tests (host-tests/flash-*.node.test.ts) and manual runs against fake-rom.ts:
// fake Moddable esp32 build folders (ESP images with a chip id, a partition table) in temporary folders.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** An ESP image: header (magic E9, 1 segment, DIO, 4MB/40MHz, entry, extended header with the chip id) + random body. */
export function espImage(imageChipId: number, size: number): Uint8Array {
  const img = new Uint8Array(randomBytes(size));
  img.set([0xe9, 0x01, 0x02, 0x20], 0);
  new DataView(img.buffer).setUint32(4, 0x40080000, true);
  img.fill(0, 8, 24);
  img[8] = 0xee; // WP pin disabled
  new DataView(img.buffer).setUint16(12, imageChipId, true);
  return img;
}

interface PartEntry { type: number; subtype: number; offset: number; size: number; label: string }

export function partitionTable(entries: PartEntry[]): Uint8Array {
  const out = new Uint8Array(0xc00).fill(0xff);
  const dv = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const at = i * 32;
    out[at] = 0xaa;
    out[at + 1] = 0x50;
    out[at + 2] = e.type;
    out[at + 3] = e.subtype;
    dv.setUint32(at + 4, e.offset, true);
    dv.setUint32(at + 8, e.size, true);
    out.fill(0, at + 12, at + 28);
    out.set(new TextEncoder().encode(e.label), at + 12);
    dv.setUint32(at + 28, 0, true);
  });
  return out;
}

export const DEFAULT_PARTITIONS: PartEntry[] = [
  { type: 1, subtype: 0x02, offset: 0x9000, size: 0x4000, label: 'nvs' },
  { type: 1, subtype: 0x00, offset: 0xd000, size: 0x2000, label: 'otadata' },
  { type: 1, subtype: 0x01, offset: 0xf000, size: 0x1000, label: 'phy_init' },
  { type: 0, subtype: 0x00, offset: 0x10000, size: 0x300000, label: 'factory' },
];

export interface FakeBuild {
  dir: string;
  files: Record<string, Uint8Array>;
}

/** Write a Moddable-like esp32 build folder. */
export function writeEsp32Build(opts: { chipId?: number; appSize?: number; bootSize?: number; otaData?: boolean; partitions?: PartEntry[]; omit?: string[] } = {}): FakeBuild {
  const dir = tempDir('flash-esp32-build-');
  const chipId = opts.chipId ?? 0;
  const files: Record<string, Uint8Array> = {
    'bootloader.bin': espImage(chipId, opts.bootSize ?? 8 * 1024),
    'partition-table.bin': partitionTable(opts.partitions ?? DEFAULT_PARTITIONS),
    'xs_esp32.bin': espImage(chipId, opts.appSize ?? 40 * 1024),
  };
  if (opts.otaData !== false) files['ota_data_initial.bin'] = new Uint8Array(0x2000).fill(0xff);
  for (const name of opts.omit ?? []) delete files[name];
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
  return { dir, files };
}
