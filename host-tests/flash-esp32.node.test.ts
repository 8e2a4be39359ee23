// The ESP32 flash tool (scripts/flash/esp32.ts) against a fake ROM bootloader (scripts/flash/fake-rom.ts):
// in memory through a fake Web Serial port, and over a socat pseudo-terminal pair through the real
// serialport adapter and the CLI. Node-only (the .node.test.ts suffix keeps it off the XS runner).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assert } from './lib/assert';
import { socatOrSkip } from './lib/socat';
import { tempDir, writeEsp32Build, type FakeBuild } from '../scripts/flash/fixtures';
import { FlashError, HARD_RESET_SEQUENCE, flashEsp32, loadBuild, resolveBuildDir } from '../scripts/flash/esp32';
import { FakeEsp32Rom, FakeWebSerialPort, OP, WRITING_OPS, serveFakeRom, type FakeRomOptions } from '../scripts/flash/fake-rom';
import { NodeWebSerialPort } from '../scripts/flash/web-serial-node';

const ROOT = path.resolve(__dirname, '..');
const quiet = () => {};

function assertFlashHolds(rom: FakeEsp32Rom, b: FakeBuild, layout: Record<string, number>): void {
  for (const [file, address] of Object.entries(layout)) {
    const want = b.files[file];
    assert.ok(want, `fixture has ${file}`);
    const got = rom.read(address, want.length);
    assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${file} at 0x${address.toString(16)} matches`);
  }
}

async function rejection(p: Promise<unknown>): Promise<FlashError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FlashError, `a FlashError, got ${String(err)}`);
    return err;
  }
  return assert.fail('expected the flash to fail');
}

async function flashInMemory(b: FakeBuild, rom: FakeRomOptions, extra: { timeoutMs?: number; chip?: string } = {}) {
  const fake = new FakeEsp32Rom(rom);
  const port = new FakeWebSerialPort(fake);
  const build = loadBuild(b.dir, extra.chip);
  const result = flashEsp32({ port, build, baud: 921600, log: quiet, progress: null, timeoutMs: extra.timeoutMs });
  return { fake, port, result };
}

describe('flash:esp32 build checks', () => {
  it('a directory in place of an image is refused with one line, not an EISDIR stack (issue 24)', () => {
    const b = writeEsp32Build();
    fs.rmSync(path.join(b.dir, 'xs_esp32.bin'));
    fs.mkdirSync(path.join(b.dir, 'xs_esp32.bin'));
    assert.throws(() => loadBuild(b.dir), (e: unknown) => e instanceof FlashError && e.message === `${path.join(b.dir, 'xs_esp32.bin')} is a directory, not an image file`);
  });

  it('reads the chip from the image header and lays out bootloader, partition table, otadata and app', () => {
    const b = writeEsp32Build();
    const build = loadBuild(b.dir);
    assert.equal(build.chip.id, 'esp32');
    assert.equal(build.chipSource, 'image header');
    assert.deepEqual(build.regions.map((r) => [r.file, r.address]), [
      ['bootloader.bin', 0x1000], ['partition-table.bin', 0x8000], ['ota_data_initial.bin', 0xd000], ['xs_esp32.bin', 0x10000],
    ]);
  });

  it('puts the ESP32-S3 bootloader at 0x0, and skips ota_data_initial.bin without an otadata partition', () => {
    const b = writeEsp32Build({
      chipId: 9,
      partitions: [
        { type: 1, subtype: 0x02, offset: 0x9000, size: 0x6000, label: 'nvs' },
        { type: 0, subtype: 0x00, offset: 0x10000, size: 0x200000, label: 'factory' },
      ],
    });
    const build = loadBuild(b.dir);
    assert.equal(build.chip.id, 'esp32s3');
    assert.deepEqual(build.regions.map((r) => [r.file, r.address]), [['bootloader.bin', 0x0], ['partition-table.bin', 0x8000], ['xs_esp32.bin', 0x10000]]);
    assert.match(build.notes.join('\n'), /ota_data_initial\.bin skipped/);
  });

  it('refuses --chip that contradicts the image header', () => {
    const b = writeEsp32Build();
    assert.throws(() => loadBuild(b.dir, 'esp32s3'), { kind: 'wrong-chip', message: /--chip esp32s3 but the build .* is for ESP32/ });
    assert.throws(() => loadBuild(b.dir, 'esp99'), { kind: 'usage', message: /unknown --chip esp99/ });
  });

  it('lists the missing build files and the default folder searched', () => {
    const b = writeEsp32Build({ omit: ['bootloader.bin', 'xs_esp32.bin'] });
    assert.throws(() => resolveBuildDir(b.dir), { kind: 'missing-files', message: /missing in .*: bootloader\.bin, xs_esp32\.bin/ });
    const moddable = tempDir('moddable-');
    assert.throws(() => resolveBuildDir(undefined, { MODDABLE: moddable }), {
      kind: 'missing-files',
      message: new RegExp(`bootloader\\.bin, partition-table\\.bin, xs_esp32\\.bin\\n  searched ${moddable}/build/bin/esp32/release/demo`),
    });
    assert.throws(() => resolveBuildDir(undefined, {}), { kind: 'missing-files', message: /MODDABLE is not set/ });
  });

  it('finds the build in the default folder', () => {
    const moddable = tempDir('moddable-');
    const dir = path.join(moddable, 'build', 'bin', 'esp32', 'release', 'demo');
    fs.mkdirSync(dir, { recursive: true });
    const b = writeEsp32Build();
    for (const f of fs.readdirSync(b.dir)) fs.copyFileSync(path.join(b.dir, f), path.join(dir, f));
    assert.equal(resolveBuildDir(undefined, { MODDABLE: moddable }), dir);
  });
});

describe('flash:esp32 against a fake ROM in memory', function () {
  this.timeout(15000);

  it('flashes every image at its offset, verifies MD5 and pulses EN at the end', async () => {
    const b = writeEsp32Build();
    const { fake, port, result } = await flashInMemory(b, {});
    const r = await result;
    assert.equal(r.chip, 'ESP32');
    assert.equal(r.resetPulsed, true);
    assertFlashHolds(fake, b, { 'bootloader.bin': 0x1000, 'partition-table.bin': 0x8000, 'ota_data_initial.bin': 0xd000, 'xs_esp32.bin': 0x10000 });
    assert.equal(fake.stubRuns, 1, 'the stub flasher was uploaded and ran');
    assert.ok(fake.ops.includes(OP.FLASH_DEFL_DATA), 'compressed writes');
    assert.equal(fake.ops.filter((op) => op === OP.SPI_FLASH_MD5).length, 4, 'one MD5 check per region');
    assert.deepEqual(fake.baudChanges, [921600]);
    // reset into download mode to connect, and the final hard reset really booted the app
    assert.deepEqual(fake.boots, ['download', 'app']);
    // D0 | R1 (esptool-js re-sends DTR after RTS) | W100 | R0 (and DTR again)
    const f = false;
    const t = true;
    assert.deepEqual(port.signals.slice(-5), [
      { dtr: f, rts: f }, { dtr: f, rts: t }, { dtr: f, rts: t }, { dtr: f, rts: f }, { dtr: f, rts: f },
    ], `${HARD_RESET_SEQUENCE} line states`);
  });

  it('fails with a clear error when the flash MD5 does not match', async () => {
    const b = writeEsp32Build();
    const { fake, result } = await flashInMemory(b, { corruptAt: 0x10000 + 1234 });
    const err = await rejection(result);
    assert.equal(err.kind, 'md5');
    assert.match(err.message, /MD5 verification failed for xs_esp32\.bin at 0x10000/);
    assert.ok(!fake.boots.includes('app'), 'no reset into a corrupt app');
  });

  it('refuses an ESP32-S3 board for an esp32 build before writing anything', async () => {
    const b = writeEsp32Build();
    const { fake, result } = await flashInMemory(b, { chip: 'esp32s3' });
    const err = await rejection(result);
    assert.equal(err.kind, 'wrong-chip');
    assert.match(err.message, /the board is an ESP32-S3 but the build .* is for ESP32 .*Nothing was written/);
    assert.deepEqual(fake.ops.filter((op) => WRITING_OPS.includes(op)), [], 'no flash or RAM write was sent');
    assert.ok(fake.flash.every((x) => x === 0xff), 'flash untouched');
    assert.deepEqual(fake.boots, ['download', 'app'], 'reset back into its old firmware');
  });

  it('reports an interrupted transfer when the board stops answering', async () => {
    const b = writeEsp32Build();
    // bootloader, partition table and otadata take one packet each, then one of the app's three blocks
    const { fake, result } = await flashInMemory(b, { silentAfterDataPackets: 4 }, { timeoutMs: 300 });
    const t0 = Date.now();
    const err = await rejection(result);
    assert.equal(err.kind, 'interrupted');
    assert.match(err.message, /transfer interrupted while writing xs_esp32\.bin at 0x10000 \(16384 of \d+ bytes sent\): the board stopped answering/);
    assert.ok(fake.silent);
    assert.ok(Date.now() - t0 < 8000, 'fails within the scaled timeouts');
  });

  it('names a missing serial port', async () => {
    const b = writeEsp32Build();
    const err = await rejection(flashEsp32({ port: '/dev/ttyNOPE-flash-test', build: loadBuild(b.dir), log: quiet, progress: null }));
    assert.equal(err.kind, 'port');
    assert.match(err.message, /serial port \/dev\/ttyNOPE-flash-test does not exist/);
  });
});

describe('flash:esp32 Web Serial adapter', () => {
  it('tracks DTR and RTS itself (serialport would assert the line not given)', async () => {
    const p = new NodeWebSerialPort('/dev/null-not-opened');
    await p.setSignals({ dataTerminalReady: true });
    await p.setSignals({ requestToSend: true });
    await p.setSignals({ dataTerminalReady: false });
    assert.deepEqual([p.dtr, p.rts], [false, true]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Over a pseudo-terminal pair, with the real serialport adapter and the CLI in a child process

async function ptyPair(): Promise<{ host: string; board: string; socat: ChildProcess }> {
  const dir = tempDir('flash-pty-');
  const host = path.join(dir, 'host');
  const board = path.join(dir, 'board');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${board}`], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!(fs.existsSync(host) && fs.existsSync(board))) {
    if (Date.now() > deadline) throw new Error('socat did not create the pty pair');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { host, board, socat };
}

function runCli(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(ROOT, 'scripts/flash/esp32.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, MODDABLE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('flash:esp32 CLI', function () {
  this.timeout(15000);

  it('exits 1 naming the missing build files', async () => {
    const b = writeEsp32Build({ omit: ['partition-table.bin'] });
    const r = await runCli(['--port', '/dev/ttyNOPE', '--build', b.dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /flash:esp32: missing in .*: partition-table\.bin/);
  });
});

describe('flash:esp32 over a pseudo-terminal (socat)', function () {
  this.timeout(20000);
  let pty: { host: string; board: string; socat: ChildProcess } | undefined;

  before(function () {
    socatOrSkip(this, 'pty flashing');
  });

  beforeEach(async () => {
    pty = await ptyPair();
  });

  afterEach(() => {
    pty?.socat.kill();
    pty = undefined;
  });

  it('flashes through the CLI and the serialport adapter (no DTR/RTS on a pty)', async () => {
    const b = writeEsp32Build();
    const server = await serveFakeRom(pty!.board, {});
    try {
      const r = await runCli(['--port', pty!.host, '--build', b.dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /has no DTR\/RTS lines/);
      assert.match(r.stderr, /Press EN\/RST on the board/);
      assert.match(r.stderr, /Flashed ESP32-D0WDQ6/);
      assert.equal(r.stdout, '', 'nothing on stdout (esptool-js TRACE lines are kept off it)');
      assertFlashHolds(server.rom, b, { 'bootloader.bin': 0x1000, 'partition-table.bin': 0x8000, 'ota_data_initial.bin': 0xd000, 'xs_esp32.bin': 0x10000 });
      assert.deepEqual(server.rom.baudChanges, [460800]);
    } finally {
      await server.close();
    }
  });

  it('exits non-zero with a timeout error when the board stops answering mid-way', async () => {
    const b = writeEsp32Build();
    const server = await serveFakeRom(pty!.board, { silentAfterDataPackets: 4 });
    try {
      const r = await runCli(['--port', pty!.host, '--build', b.dir, '--timeout', '300']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /transfer interrupted while writing xs_esp32\.bin at 0x10000 .*the board stopped answering \((No serial data received|Serial data stream stopped)/);
    } finally {
      await server.close();
    }
  });

  it('refuses the wrong chip over the pty too', async () => {
    const b = writeEsp32Build();
    const server = await serveFakeRom(pty!.board, { chip: 'esp32s3' });
    try {
      const r = await runCli(['--port', pty!.host, '--build', b.dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /wrong chip: the board is an ESP32-S3/);
      assert.deepEqual(server.rom.ops.filter((op) => WRITING_OPS.includes(op)), []);
    } finally {
      await server.close();
    }
  });
});
