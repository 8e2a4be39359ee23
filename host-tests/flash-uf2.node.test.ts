// UF2 validation and the Pico flash tool (scripts/flash/uf2.ts, scripts/flash/pico.ts), without a board:
// valid UF2 files are generated from random bytes, then corrupted one field at a time.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assert } from './lib/assert';
import { tempDir } from '../scripts/flash/fixtures';
import {
  FAMILY_RP2040, FAMILY_RP2350_ARM_S, UF2_BLOCK_SIZE, Uf2Error, buildUf2, validateUf2,
} from '../scripts/flash/uf2';
import { PicoFlashError, flashPico, picoCli, resolveUf2 } from '../scripts/flash/pico';

const quiet = () => {};

function u32(buf: Uint8Array, block: number, field: number, value?: number): number {
  const dv = new DataView(buf.buffer, buf.byteOffset + block * UF2_BLOCK_SIZE, UF2_BLOCK_SIZE);
  if (value !== undefined) dv.setUint32(field, value >>> 0, true);
  return dv.getUint32(field, true);
}
const F = { magic0: 0, magic1: 4, flags: 8, address: 12, payload: 16, blockNo: 20, numBlocks: 24, family: 28, magicEnd: 508 };

function good(size = 10 * 256 + 17): Uint8Array {
  return buildUf2(new Uint8Array(randomBytes(size)));
}

function expectUf2Error(bytes: Uint8Array, kind: string, message: RegExp, block?: number): void {
  try {
    validateUf2(bytes);
  } catch (err) {
    assert.ok(err instanceof Uf2Error, `a Uf2Error, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.match(err.message, message);
    if (block !== undefined) assert.equal(err.block, block);
    return;
  }
  assert.fail(`expected a ${kind} error`);
}

describe('UF2 validation', () => {
  it('accepts a generated RP2040 UF2 and summarises it', () => {
    const bin = new Uint8Array(randomBytes(10 * 256 + 17));
    const uf2 = buildUf2(bin);
    const s = validateUf2(uf2);
    assert.equal(s.blocks, 11);
    assert.equal(s.flashBlocks, 11);
    assert.equal(s.familyName, 'RP2040');
    assert.equal(s.chip, 'RP2040');
    assert.equal(s.start, 0x10000000);
    assert.equal(s.end, 0x10000000 + 11 * 256);
    // payload round trip
    const back = new Uint8Array(11 * 256);
    for (let i = 0; i < 11; i++) back.set(uf2.subarray(i * 512 + 32, i * 512 + 32 + 256), i * 256);
    assert.ok(Buffer.from(back.subarray(0, bin.length)).equals(Buffer.from(bin)));
  });

  it("accepts an RP2350 UF2 with picotool's absolute block (0xE48BFF57, numbered 0 of 2)", () => {
    const uf2 = buildUf2(new Uint8Array(randomBytes(4096)), { family: FAMILY_RP2350_ARM_S, absoluteBlock: true });
    const s = validateUf2(uf2);
    assert.equal(s.chip, 'RP2350');
    assert.equal(s.absoluteBlocks, 1);
    assert.equal(s.flashBlocks, 16);
  });

  it('names the block with a bad magic', () => {
    const uf2 = good();
    u32(uf2, 3, F.magic0, 0x12345678);
    expectUf2Error(uf2, 'magic', /block 3 \(file offset 0x00000600\): bad first magic 0x12345678 \(expected 0x0A324655\)/, 3);
    const uf2b = good();
    u32(uf2b, 5, F.magicEnd, 0);
    expectUf2Error(uf2b, 'magic', /block 5 .*bad end magic/, 5);
  });

  it('rejects a wrong family', () => {
    const uf2 = good();
    for (let i = 0; i < 11; i++) u32(uf2, i, F.family, 0xada52840); // nRF52840
    expectUf2Error(uf2, 'family', /block 0 .*family id 0xADA52840 is not an RP2040\/RP2350 family/, 0);
    const mixed = good();
    u32(mixed, 4, F.family, FAMILY_RP2350_ARM_S);
    expectUf2Error(mixed, 'family', /block 4 .*differs from block 0's 0xE48BFF56/, 4);
  });

  it('rejects a gap in block numbers', () => {
    const uf2 = good();
    const gap = new Uint8Array(uf2.length - UF2_BLOCK_SIZE);
    gap.set(uf2.subarray(0, 6 * UF2_BLOCK_SIZE));
    gap.set(uf2.subarray(7 * UF2_BLOCK_SIZE), 6 * UF2_BLOCK_SIZE); // block 6 removed
    expectUf2Error(gap, 'numbering', /block 6 .*block number 7, expected 6 \(block\(s\) 6\.\.6 missing\)/, 6);
  });

  it('rejects a bad total', () => {
    const uf2 = good();
    for (let i = 0; i < 11; i++) u32(uf2, i, F.numBlocks, 12);
    expectUf2Error(uf2, 'total', /the blocks say there are 12 in all, but the file holds 11/);
    const one = good();
    u32(one, 2, F.numBlocks, 99);
    expectUf2Error(one, 'total', /block 2 .*total block count 99 differs from block 0's 11/, 2);
  });

  it('rejects a misaligned or out-of-flash address, and overlaps', () => {
    const uf2 = good();
    u32(uf2, 7, F.address, u32(uf2, 7, F.address) + 4);
    expectUf2Error(uf2, 'address', /block 7 .*target address 0x10000704 is not 256-byte aligned/, 7);
    const ram = good();
    u32(ram, 1, F.address, 0x20000000);
    expectUf2Error(ram, 'address', /block 1 .*0x20000000 is outside flash/, 1);
    const overlap = good();
    u32(overlap, 9, F.address, 0x10000100);
    expectUf2Error(overlap, 'overlap', /block 9 .*overlaps block 1/, 9);
  });

  it('rejects bad flags, payload size and file size', () => {
    const noFamily = good();
    u32(noFamily, 0, F.flags, 0);
    expectUf2Error(noFamily, 'flags', /block 0 .*no family id \(flag 0x2000 not set\)/, 0);
    const payload = good();
    u32(payload, 2, F.payload, 476);
    expectUf2Error(payload, 'payload', /block 2 .*payload size 476/, 2);
    expectUf2Error(good().subarray(0, 1000), 'size', /1000 bytes, not a multiple of 512/);
    expectUf2Error(new Uint8Array(0), 'empty', /empty/);
  });
});

describe('flash:pico', function () {
  this.timeout(10000);

  function uf2File(family = FAMILY_RP2040): { file: string; bytes: Uint8Array } {
    const dir = tempDir('flash-pico-uf2-');
    const file = path.join(dir, 'xs_pico.uf2');
    const bytes = buildUf2(new Uint8Array(randomBytes(3000)), { family });
    fs.writeFileSync(file, bytes);
    return { file, bytes };
  }

  function drive(boardId = 'RPI-RP2'): string {
    const d = tempDir('flash-pico-drive-');
    fs.writeFileSync(path.join(d, 'INFO_UF2.TXT'), `UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: ${boardId}\n`);
    return d;
  }

  it('refuses /dev/zero and a directory as --uf2 up front, with one line (issue 24: it read /dev/zero forever)', async () => {
    const d = drive();
    await assert.rejects(flashPico({ uf2: '/dev/zero', drive: d, waitMs: 0, ejectWaitMs: 0, log: quiet }), (e: unknown) => e instanceof Error && e.message === '/dev/zero is not a regular file (a device, pipe or socket): give the image file');
    await assert.rejects(flashPico({ uf2: d, drive: d, waitMs: 0, ejectWaitMs: 0, log: quiet }), (e: unknown) => e instanceof Error && e.message === `${d} is a directory, not an image file`);
  });

  it('copies a valid UF2 onto the drive and reports', async () => {
    const { file, bytes } = uf2File();
    const d = drive();
    const r = await flashPico({ uf2: file, drive: d, waitMs: 0, ejectWaitMs: 0, log: quiet });
    assert.equal(r.drive.chip, 'RP2040');
    assert.ok(Buffer.from(fs.readFileSync(path.join(d, 'xs_pico.uf2'))).equals(Buffer.from(bytes)));
    assert.equal(r.rebooted, false, 'a folder does not eject');
  });

  it('the CLI exits 1 when it cannot confirm the copy (the drive never goes away), 0 when the drive goes away', async () => {
    const { file } = uf2File();
    const stays = drive();
    const errs: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => errs.push(String(s)) > 0) as unknown as typeof process.stderr.write;
    let code: number;
    let code2: number;
    const goes = drive();
    try {
      code = await picoCli(['--uf2', file, '--drive', stays, '--wait', '0', '--confirm-wait', '0.3']);
      // a drive that goes away once the file lands: the bootrom took it
      const watcher = setInterval(() => {
        if (fs.existsSync(path.join(goes, 'xs_pico.uf2'))) fs.rmSync(path.join(goes, 'INFO_UF2.TXT'), { force: true });
      }, 20);
      code2 = await picoCli(['--uf2', file, '--drive', goes, '--wait', '0', '--confirm-wait', '2']);
      clearInterval(watcher);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(code, 1);
    assert.match(errs.join(''), /flash:pico: copied xs_pico\.uf2 to .*, but the drive did not go away within 0\.3 s, so the flash is not confirmed/);
    assert.equal(code2, 0, errs.join(''));
    assert.match(errs.join(''), /Flashed xs_pico\.uf2 \(RP2040\) to .*; the board is running it\./);
  });

  it('waits for the drive to appear, and notices it go away after the copy (reboot)', async () => {
    const { file } = uf2File();
    const d = tempDir('flash-pico-later-');
    const lines: string[] = [];
    setTimeout(() => fs.writeFileSync(path.join(d, 'INFO_UF2.TXT'), 'Board-ID: RPI-RP2\n'), 300);
    const watcher = setInterval(() => {
      // the "bootrom" reboots once the file has landed: the drive's files disappear
      if (fs.existsSync(path.join(d, 'xs_pico.uf2'))) fs.rmSync(path.join(d, 'INFO_UF2.TXT'), { force: true });
    }, 50);
    try {
      const r = await flashPico({ uf2: file, candidates: ['/nonexistent/RPI-RP2', d], waitMs: 3000, ejectWaitMs: 2000, log: (l) => lines.push(l) });
      assert.equal(r.rebooted, true);
      assert.match(lines.join('\n'), /hold BOOTSEL/);
      assert.match(lines.join('\n'), /rebooted into the new firmware/);
    } finally {
      clearInterval(watcher);
    }
  });

  it('times out telling the user to hold BOOTSEL', async () => {
    const { file } = uf2File();
    await assert.rejects(flashPico({ uf2: file, candidates: ['/nonexistent/RPI-RP2'], waitMs: 300, log: quiet }), (err: unknown) =>
      err instanceof PicoFlashError && err.kind === 'no-drive' && /Hold the BOOTSEL button/.test(err.message));
  });

  it('validates before copying: a corrupt UF2 never reaches the drive', async () => {
    const { file, bytes } = uf2File();
    u32(bytes, 2, F.magic1, 0);
    fs.writeFileSync(file, bytes);
    const d = drive();
    await assert.rejects(flashPico({ uf2: file, drive: d, waitMs: 0, log: quiet }), (err: unknown) =>
      err instanceof PicoFlashError && err.kind === 'invalid-uf2' && /block 2 .*bad second magic.*Nothing was copied/.test(err.message));
    assert.ok(!fs.existsSync(path.join(d, 'xs_pico.uf2')));
  });

  it('refuses an RP2350 UF2 on an RP2040 drive', async () => {
    const { file } = uf2File(FAMILY_RP2350_ARM_S);
    const d = drive('RPI-RP2');
    await assert.rejects(flashPico({ uf2: file, drive: d, waitMs: 0, log: quiet }), (err: unknown) =>
      err instanceof PicoFlashError && err.kind === 'wrong-chip' && /for RP2350 ARM secure but the board .* is an RP2040/.test(err.message));
  });

  it('finds the default xs_pico.uf2, or says where it looked', () => {
    const moddable = tempDir('moddable-');
    assert.throws(() => resolveUf2(undefined, { MODDABLE: moddable }), { kind: 'missing-file', message: /xs_pico\.uf2 not found; searched .*build\/bin\/pico\/release\// });
    const dir = path.join(moddable, 'build', 'bin', 'pico', 'pico_w', 'debug', 'demo');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'xs_pico.uf2'), good());
    assert.equal(resolveUf2(undefined, { MODDABLE: moddable }), path.join(dir, 'xs_pico.uf2'));
  });
});
