// What the ESP32 flash tool needs to know about chips, image headers and partition tables.

export interface ChipInfo {
  /** --chip value, as in ESP-IDF's IDF_TARGET */
  id: string;
  /** esptool-js's CHIP_NAME */
  name: string;
  /** chip id in the image header's extended header (byte 12-13) */
  imageChipId: number;
  /** where the second-stage bootloader goes */
  bootloaderOffset: number;
}

export const CHIPS: readonly ChipInfo[] = [
  { id: 'esp32', name: 'ESP32', imageChipId: 0, bootloaderOffset: 0x1000 },
  { id: 'esp32s2', name: 'ESP32-S2', imageChipId: 2, bootloaderOffset: 0x1000 },
  { id: 'esp32c3', name: 'ESP32-C3', imageChipId: 5, bootloaderOffset: 0x0 },
  { id: 'esp32s3', name: 'ESP32-S3', imageChipId: 9, bootloaderOffset: 0x0 },
  { id: 'esp32c2', name: 'ESP32-C2', imageChipId: 12, bootloaderOffset: 0x0 },
  { id: 'esp32c6', name: 'ESP32-C6', imageChipId: 13, bootloaderOffset: 0x0 },
  { id: 'esp32h2', name: 'ESP32-H2', imageChipId: 16, bootloaderOffset: 0x0 },
  { id: 'esp32p4', name: 'ESP32-P4', imageChipId: 18, bootloaderOffset: 0x2000 },
  { id: 'esp32c61', name: 'ESP32-C61', imageChipId: 20, bootloaderOffset: 0x0 },
  { id: 'esp32c5', name: 'ESP32-C5', imageChipId: 23, bootloaderOffset: 0x2000 },
];

export const PARTITION_TABLE_OFFSET = 0x8000;
export const DEFAULT_APP_OFFSET = 0x10000;
export const ESP_IMAGE_MAGIC = 0xe9;

export function chipById(id: string): ChipInfo | undefined {
  return CHIPS.find((c) => c.id === id.toLowerCase().replace(/-/g, ''));
}

export function chipByName(name: string): ChipInfo | undefined {
  return CHIPS.find((c) => c.name === name);
}

export function chipByImageId(imageChipId: number): ChipInfo | undefined {
  return CHIPS.find((c) => c.imageChipId === imageChipId);
}

export interface ImageHeader {
  segments: number;
  flashMode: number;
  flashSizeFreq: number;
  entry: number;
  imageChipId: number;
}

/** Parse an ESP-IDF app/bootloader image header (24 bytes: 8 common + 16 extended). */
export function parseImageHeader(bytes: Uint8Array, what: string): ImageHeader {
  if (bytes.length < 24) throw new Error(`${what} is too short to be an ESP image (${bytes.length} bytes)`);
  if (bytes[0] !== ESP_IMAGE_MAGIC) {
    throw new Error(`${what} is not an ESP image: first byte is 0x${(bytes[0] ?? 0).toString(16)}, expected 0xe9`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    segments: bytes[1] ?? 0,
    flashMode: bytes[2] ?? 0,
    flashSizeFreq: bytes[3] ?? 0,
    entry: dv.getUint32(4, true),
    imageChipId: dv.getUint16(12, true),
  };
}

export interface Partition {
  type: number;
  subtype: number;
  offset: number;
  size: number;
  label: string;
}

/** Parse an ESP-IDF binary partition table (32-byte entries starting AA 50; ends at FF FF or the MD5 entry). */
export function parsePartitionTable(bytes: Uint8Array): Partition[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Partition[] = [];
  for (let at = 0; at + 32 <= bytes.length; at += 32) {
    const magic = dv.getUint16(at, true);
    if (magic === 0xffff || magic === 0xebeb) break; // end, or the MD5 checksum entry
    if (magic !== 0x50aa) {
      throw new Error(`partition-table.bin: bad entry magic 0x${magic.toString(16)} at byte ${at} (expected AA 50)`);
    }
    const labelBytes = bytes.subarray(at + 12, at + 28);
    const end = labelBytes.indexOf(0);
    out.push({
      type: bytes[at + 2] ?? 0,
      subtype: bytes[at + 3] ?? 0,
      offset: dv.getUint32(at + 4, true),
      size: dv.getUint32(at + 8, true),
      label: new TextDecoder().decode(end >= 0 ? labelBytes.subarray(0, end) : labelBytes),
    });
  }
  if (out.length === 0) throw new Error('partition-table.bin holds no partition entry');
  return out;
}

export const PART_APP = 0x00;
export const PART_DATA = 0x01;
export const SUBTYPE_FACTORY = 0x00;
export const SUBTYPE_OTA_0 = 0x10;
export const SUBTYPE_OTADATA = 0x00;

/** The partition the bootloader boots on a fresh flash: factory, else ota_0 (otadata is blank). */
export function bootAppPartition(parts: readonly Partition[]): Partition | undefined {
  return (
    parts.find((p) => p.type === PART_APP && p.subtype === SUBTYPE_FACTORY) ??
    parts.find((p) => p.type === PART_APP && p.subtype === SUBTYPE_OTA_0)
  );
}

export function otadataPartition(parts: readonly Partition[]): Partition | undefined {
  return parts.find((p) => p.type === PART_DATA && p.subtype === SUBTYPE_OTADATA);
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
