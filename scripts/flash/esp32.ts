// `npm run flash:esp32 -- --port <dev> [--build <dir>] [--baud N] [--chip esp32|esp32s3|...]`
//
// Flashes a Moddable esp32 build (bootloader.bin, partition-table.bin, xs_esp32.bin, and
// ota_data_initial.bin when the partition table has an otadata partition) with esptool-js, run under Node
// through a Web Serial adapter over the npm `serialport` package. Steps: check the build, open the port,
// reset into the ROM bootloader and sync, detect the chip and refuse one that does not match the build,
// upload the flasher stub, raise the baud rate, write every image compressed at its offset with a progress
// bar, verify each region's MD5, then hard-reset the board by pulsing EN. See docs/flashing.md.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ESPLoader, IEspLoaderTerminal, Transport } from 'esptool-js';
import {
  type ChipInfo, CHIPS, DEFAULT_APP_OFFSET, PARTITION_TABLE_OFFSET, bootAppPartition, chipById, chipByImageId,
  chipByName, hex, otadataPartition, parseImageHeader, parsePartitionTable,
} from './esp32-image';
import { ProgressBar, type ProgressStream } from './progress';
import { readImage } from './read-image';
import { NodeWebSerialPort, PortOpenError } from './web-serial-node';

export const REQUIRED_FILES = ['bootloader.bin', 'partition-table.bin', 'xs_esp32.bin'] as const;
export const OTA_DATA_FILE = 'ota_data_initial.bin';
/** esptool.py's hard reset: IO0 released (DTR off), EN pulled low by RTS for 100 ms, then released. */
export const HARD_RESET_SEQUENCE = 'D0|R1|W100|R0';
export const DEFAULT_BAUD = 460800;
export const ROM_BAUD = 115200;

export type FlashErrorKind = 'usage' | 'missing-files' | 'bad-build' | 'port' | 'connect' | 'wrong-chip' | 'md5' | 'interrupted' | 'failed';

export class FlashError extends Error {
  override name = 'FlashError';
  constructor(readonly kind: FlashErrorKind, message: string) {
    super(message);
  }
}

/** What esptool-js's Transport needs from a port (a subset of Web Serial's SerialPort). */
export interface WebSerialPortLike {
  readable: ReadableStream<Uint8Array> | null;
  writable: WritableStream<Uint8Array> | null;
  open(options: { baudRate: number }): Promise<void>;
  close(): Promise<void>;
  setSignals(signals: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void>;
  getInfo(): { usbVendorId?: number; usbProductId?: number };
  setBaudRate?(baudRate: number): Promise<void>;
}

export interface Region {
  file: string;
  address: number;
  data: Uint8Array;
}

export interface Build {
  dir: string;
  chip: ChipInfo;
  /** how the chip was decided: from --chip or from the app image header */
  chipSource: 'option' | 'image header';
  regions: Region[];
  notes: string[];
}

// ---------------------------------------------------------------------------------------------------------
// The build

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
/**
 * The app's name in Moddable's build folders (mcconfig names it after the folder of its manifest): the app in
 * the current directory (`xs-async flash` in an app made with the starter), else this repository's demo.
 */
const APP_NAME = path.resolve(process.cwd()) !== PROJECT_ROOT && fs.existsSync(path.join(process.cwd(), 'manifest.json')) ? path.basename(process.cwd()) : 'demo';

/** Default build directories, in the order they are tried, for the project's app name. */
export function defaultBuildDirs(moddable: string | undefined, app = APP_NAME): string[] {
  if (!moddable) return [];
  const base = path.join(moddable, 'build', 'bin', 'esp32');
  const dirs = [path.join(base, 'release', app), path.join(base, 'debug', app)];
  // subplatform builds (mcconfig -p esp32/<board>) land in build/bin/esp32/<board>/<release|debug>/<app>
  let boards: string[] = [];
  try {
    boards = fs.readdirSync(base).filter((d) => d !== 'release' && d !== 'debug').sort();
  } catch {
    // no esp32 build at all
  }
  for (const b of boards) dirs.push(path.join(base, b, 'release', app), path.join(base, b, 'debug', app));
  return dirs;
}

function missingIn(dir: string): string[] {
  return REQUIRED_FILES.filter((f) => !fs.existsSync(path.join(dir, f)));
}

/** Pick the build directory: --build, else the first default one holding a complete build. */
export function resolveBuildDir(buildOption: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (buildOption) {
    const dir = path.resolve(buildOption);
    if (!fs.existsSync(dir)) throw new FlashError('missing-files', `build directory ${dir} does not exist`);
    const missing = missingIn(dir);
    if (missing.length) {
      throw new FlashError('missing-files', `missing in ${dir}: ${missing.join(', ')} (a Moddable esp32 build has ${REQUIRED_FILES.join(', ')}; run "npm run build:esp32")`);
    }
    return dir;
  }
  const moddable = env.MODDABLE;
  if (!moddable) {
    throw new FlashError('missing-files', 'no --build given and MODDABLE is not set: pass --build <dir> (the folder with bootloader.bin, partition-table.bin and xs_esp32.bin) or set MODDABLE');
  }
  const candidates = defaultBuildDirs(moddable);
  const complete = candidates.filter((d) => missingIn(d).length === 0);
  if (complete.length > 0) return complete.sort((a, b) => fs.statSync(path.join(b, 'xs_esp32.bin')).mtimeMs - fs.statSync(path.join(a, 'xs_esp32.bin')).mtimeMs)[0]!;
  const primary = candidates[0]!;
  const partial = candidates.find((d) => fs.existsSync(d));
  const shown = partial ?? primary;
  const missing = missingIn(shown);
  throw new FlashError(
    'missing-files',
    `missing build files: ${missing.join(', ')}\n  searched ${shown}${candidates.length > 1 ? ` (and ${candidates.length - 1} more default folder(s) under ${path.join(moddable, 'build', 'bin', 'esp32')})` : ''}\n` +
      '  build first with "npm run build:esp32", or pass --build <dir>',
  );
}

/** Read the build and work out what goes where, for which chip. */
export function loadBuild(dir: string, chipOption?: string): Build {
  const read = (f: string): Uint8Array => {
    try {
      return readImage(path.join(dir, f));
    } catch (e) {
      throw new FlashError('missing-files', (e as Error).message);
    }
  };
  const missing = missingIn(dir);
  if (missing.length) throw new FlashError('missing-files', `missing in ${dir}: ${missing.join(', ')}`);
  const bootloader = read('bootloader.bin');
  const table = read('partition-table.bin');
  const app = read('xs_esp32.bin');
  const notes: string[] = [];

  let appHeader, bootHeader;
  try {
    appHeader = parseImageHeader(app, 'xs_esp32.bin');
    bootHeader = parseImageHeader(bootloader, 'bootloader.bin');
  } catch (err) {
    throw new FlashError('bad-build', (err as Error).message);
  }
  if (appHeader.imageChipId !== bootHeader.imageChipId) {
    throw new FlashError('bad-build', `bootloader.bin (chip id ${bootHeader.imageChipId}) and xs_esp32.bin (chip id ${appHeader.imageChipId}) are for different chips: rebuild`);
  }
  const fromImage = chipByImageId(appHeader.imageChipId);
  let chip: ChipInfo;
  let chipSource: Build['chipSource'];
  if (chipOption) {
    const c = chipById(chipOption);
    if (!c) throw new FlashError('usage', `unknown --chip ${chipOption}; one of ${CHIPS.map((x) => x.id).join(', ')}`);
    if (fromImage && fromImage !== c) {
      throw new FlashError('wrong-chip', `--chip ${c.id} but the build in ${dir} is for ${fromImage.name} (xs_esp32.bin header chip id ${appHeader.imageChipId})`);
    }
    chip = c;
    chipSource = 'option';
  } else {
    if (!fromImage) throw new FlashError('bad-build', `xs_esp32.bin has an unknown chip id ${appHeader.imageChipId} in its header: pass --chip`);
    chip = fromImage;
    chipSource = 'image header';
  }

  let parts;
  try {
    parts = parsePartitionTable(table);
  } catch (err) {
    throw new FlashError('bad-build', (err as Error).message);
  }
  const appPart = bootAppPartition(parts);
  let appOffset = DEFAULT_APP_OFFSET;
  if (!appPart) {
    notes.push(`partition table has no factory or ota_0 app partition; writing the app at ${hex(DEFAULT_APP_OFFSET)}`);
  } else {
    appOffset = appPart.offset;
    if (app.length > appPart.size) {
      throw new FlashError('bad-build', `xs_esp32.bin (${app.length} bytes) does not fit its partition "${appPart.label}" (${appPart.size} bytes at ${hex(appPart.offset)})`);
    }
    if (appOffset !== DEFAULT_APP_OFFSET) notes.push(`app partition "${appPart.label}" is at ${hex(appOffset)}`);
  }
  const regions: Region[] = [
    { file: 'bootloader.bin', address: chip.bootloaderOffset, data: bootloader },
    { file: 'partition-table.bin', address: PARTITION_TABLE_OFFSET, data: table },
  ];
  if (fs.existsSync(path.join(dir, OTA_DATA_FILE))) {
    const ota = otadataPartition(parts);
    if (ota) regions.push({ file: OTA_DATA_FILE, address: ota.offset, data: read(OTA_DATA_FILE) });
    else notes.push(`${OTA_DATA_FILE} skipped: the partition table has no otadata partition`);
  }
  regions.push({ file: 'xs_esp32.bin', address: appOffset, data: app });
  regions.sort((a, b) => a.address - b.address);
  for (let i = 1; i < regions.length; i++) {
    const prev = regions[i - 1]!;
    const cur = regions[i]!;
    if (prev.address + prev.data.length > cur.address) {
      throw new FlashError('bad-build', `${prev.file} (${prev.data.length} bytes at ${hex(prev.address)}) overlaps ${cur.file} at ${hex(cur.address)}`);
    }
  }
  return { dir, chip, chipSource, regions, notes };
}

// ---------------------------------------------------------------------------------------------------------
// Flashing

export interface FlashEsp32Options {
  /** a serial device path, or a Web-Serial-shaped port object (tests) */
  port: string | WebSerialPortLike;
  build: Build;
  baud?: number;
  /** Base response timeout in ms (esptool-js's default is 3000); size-dependent timeouts scale with it. */
  timeoutMs?: number;
  /** Where informational lines go (default: stderr). */
  log?: (line: string) => void;
  /** Where the progress bar goes (default: stderr); null for none. */
  progress?: ProgressStream | null;
  /** Echo esptool-js's own messages to the log. */
  verbose?: boolean;
  /** Skip the final reset (default false). */
  noReset?: boolean;
}

export interface FlashEsp32Result {
  chip: string;
  description: string;
  regions: Array<{ file: string; address: number; size: number; md5: string }>;
  resetPulsed: boolean;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function md5(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** esptool-js pads every image to 4 bytes before hashing and writing. */
function padded(data: Uint8Array): Uint8Array {
  if (data.length % 4 === 0) return data;
  const out = new Uint8Array(data.length + (4 - (data.length % 4))).fill(0xff);
  out.set(data);
  return out;
}

export function listSerialCandidates(): string[] {
  if (process.platform === 'win32') return [];
  try {
    return fs.readdirSync('/dev')
      .filter((n) => /^(ttyUSB\d+|ttyACM\d+|cu\.usbserial.*|cu\.usbmodem.*|cu\.SLAB_USBtoUART.*|cu\.wchusbserial.*)$/.test(n))
      .map((n) => `/dev/${n}`);
  } catch {
    return [];
  }
}

export async function flashEsp32(options: FlashEsp32Options): Promise<FlashEsp32Result> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const build = options.build;
  const baud = options.baud ?? DEFAULT_BAUD;
  const esptoolLines: string[] = [];
  let warnedNoLines = false;

  let device: WebSerialPortLike;
  let portName: string;
  if (typeof options.port === 'string') {
    portName = options.port;
    if (process.platform !== 'win32' && !fs.existsSync(portName)) {
      const found = listSerialCandidates();
      throw new FlashError('port', `serial port ${portName} does not exist. ${found.length ? `Serial ports present: ${found.join(', ')}` : 'No USB serial port found: is the board plugged in (with a data cable)?'}`);
    }
    device = new NodeWebSerialPort(portName, (w) => {
      if (!warnedNoLines) log(`note: ${w}`);
      warnedNoLines = true;
    });
  } else {
    portName = 'the port';
    device = options.port;
  }

  const esptool = await import('esptool-js');
  // esptool-js's Transport prints "TRACE ..." lines with console.log even when tracing is off (readLoop exit,
  // flash size parsing): keep them out of the user's stdout.
  class QuietTransport extends esptool.Transport {
    override trace(message: string): void {
      if (this.tracing) super.trace(message);
    }
  }
  const terminal: IEspLoaderTerminal = {
    clean() {},
    writeLine(data: string) {
      esptoolLines.push(data);
      if (options.verbose) log(`  esptool: ${data}`);
    },
    write(data: string) {
      esptoolLines.push(data);
      if (options.verbose) log(`  esptool: ${data}`);
    },
  };
  const transport: Transport = new QuietTransport(device as unknown as SerialPort, false);
  const loader: ESPLoader = new esptool.ESPLoader({ transport, baudrate: baud, romBaudrate: ROM_BAUD, terminal });
  if (options.timeoutMs !== undefined) {
    const t = options.timeoutMs;
    loader.DEFAULT_TIMEOUT = t;
    const scale = t / 3000;
    loader.timeoutPerMb = (secondsPerMb: number, sizeBytes: number) => Math.max(t, secondsPerMb * (sizeBytes / 1e6) * scale);
    // writeFlash computes block timeouts with literal floors (5000 ms for a file's first block, 3000 ms after):
    // scale what reaches the block writers too
    const deflBlock = loader.flashDeflBlock.bind(loader);
    const plainBlock = loader.flashBlock.bind(loader);
    loader.flashDeflBlock = (data, seq, timeout) => deflBlock(data, seq, Math.max(t, timeout * scale));
    loader.flashBlock = (data, seq, timeout) => plainBlock(data, seq, Math.max(t, timeout * scale));
  }

  const bar = options.progress === null ? null : new ProgressBar(options.progress ?? process.stderr);
  let connected = false;
  try {
    // 1. reset into the ROM bootloader, sync, detect the chip
    log(`Connecting to ${portName} (reset into the ROM bootloader, sync)...`);
    try {
      await loader.detectChip('default_reset');
      connected = true;
    } catch (err) {
      if (err instanceof PortOpenError) throw new FlashError('port', err.message);
      if (err instanceof esptool.UnexpectedChipMagicError || err instanceof esptool.UnexpectedChipIdError) {
        throw new FlashError('wrong-chip', `the board answered but its chip is unknown to esptool-js (${errorText(err)}); the build is for ${build.chip.name}: refusing to flash`);
      }
      throw new FlashError(
        'connect',
        `no answer from the ESP32 ROM bootloader on ${portName} (${errorText(err)}).\n` +
          '  Check the port, close any serial monitor, and if the board has no auto-reset circuit hold BOOT (IO0) while tapping EN/RST, then retry.',
      );
    }
    const detected = chipByName(loader.chip.CHIP_NAME);
    if (!detected || detected.id !== build.chip.id) {
      // leave the board running its old firmware rather than sitting in the bootloader
      if (!options.noReset) await loader.after('custom_reset', undefined, HARD_RESET_SEQUENCE).catch(() => {});
      throw new FlashError(
        'wrong-chip',
        `wrong chip: the board is an ${loader.chip.CHIP_NAME} but the build in ${build.dir} is for ${build.chip.name} ` +
          `(from ${build.chipSource === 'option' ? '--chip' : 'the xs_esp32.bin header'}). Nothing was written. ` +
          'Build for this board (e.g. npm run build:esp32 -- -p esp32/<board>) or pass the matching --build.',
      );
    }
    let description = loader.chip.CHIP_NAME;
    try {
      description = await loader.chip.getChipDescription(loader);
      const mac = await loader.chip.readMac(loader);
      log(`Chip is ${description}, MAC ${mac}`);
      if (typeof loader.chip.postConnect === 'function') await loader.chip.postConnect(loader);
    } catch (err) {
      log(`note: could not read the chip description (${errorText(err)})`);
    }

    // 2. stub flasher, faster baud, flash chip check (what ESPLoader.main() does after detection)
    await loader.runStub();
    if (baud !== ROM_BAUD) await loader.changeBaud();
    const flashId = await loader.readFlashId();
    if (flashId === 0xffffff || flashId === 0) {
      throw new FlashError('failed', `the SPI flash chip does not answer (flash id 0x${flashId.toString(16)}): check the module's flash wiring`);
    }

    // 3. write + verify
    for (const n of build.notes) log(`note: ${n}`);
    const files = build.regions.map((r) => ({ data: r.data, address: r.address }));
    log(`Writing ${build.regions.map((r) => `${r.file} @ ${hex(r.address)}`).join(', ')}`);
    let current = 0;
    let sent = 0;
    let total = 0;
    try {
      await loader.writeFlash({
        fileArray: files,
        flashMode: 'keep',
        flashFreq: 'keep',
        flashSize: 'keep',
        eraseAll: false,
        compress: true,
        reportProgress: (fileIndex, written, size) => {
          const r = build.regions[fileIndex]!;
          if (fileIndex !== current || written === 0) {
            current = fileIndex;
            bar?.start(`${r.file} @ ${hex(r.address)}`, size);
          }
          sent = written;
          total = size;
          bar?.update(written);
        },
        calculateMD5Hash: (image) => md5(image),
      });
    } catch (err) {
      bar?.finish();
      const r = build.regions[current]!;
      const msg = errorText(err);
      if (/MD5 of file does not match/i.test(msg)) {
        const fileMd5 = [...esptoolLines].reverse().find((l) => l.startsWith('File  md5:'))?.slice(10).trim();
        const flashMd5 = [...esptoolLines].reverse().find((l) => l.startsWith('Flash md5:'))?.slice(10).trim();
        throw new FlashError('md5', `MD5 verification failed for ${r.file} at ${hex(r.address)}: the flash does not hold what was sent (file ${fileMd5 ?? '?'}, flash ${flashMd5 ?? '?'}). Retry at a lower --baud; if it persists the flash may be worn or write-protected.`);
      }
      if (/No serial data received|Serial data stream stopped|timed? ?out|Invalid head of packet/i.test(msg) || err instanceof esptool.TimeoutError) {
        throw new FlashError('interrupted', `transfer interrupted while writing ${r.file} at ${hex(r.address)} (${sent} of ${total} bytes sent): the board stopped answering (${msg}). Check the cable and power, then retry (a lower --baud helps on long cables).`);
      }
      throw new FlashError('failed', `writing ${r.file} at ${hex(r.address)} failed: ${msg}`);
    }
    bar?.finish();
    const regions = build.regions.map((r) => ({ file: r.file, address: r.address, size: r.data.length, md5: md5(padded(r.data)) }));
    log(`Verified MD5 of ${regions.length} regions.`);

    // 4. reboot into the new firmware: pulse EN (esptool-js's own HardReset never does)
    let resetPulsed = false;
    if (!options.noReset) {
      await loader.after('custom_reset', undefined, HARD_RESET_SEQUENCE);
      resetPulsed = !(device instanceof NodeWebSerialPort) || device.hasControlLines;
      log(resetPulsed ? 'Hard reset (EN pulsed): the new firmware is starting.' : 'Press EN/RST on the board to start the new firmware (this port cannot pulse EN).');
    }
    return { chip: loader.chip.CHIP_NAME, description, regions, resetPulsed };
  } finally {
    bar?.finish();
    try {
      if (connected || device.readable) await transport.disconnect();
    } catch {
      // closing a port that failed half-way: nothing more to do
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// CLI

const USAGE = `usage: npm run flash:esp32 -- --port <dev> [--build <dir>] [--baud N] [--chip esp32|esp32s3|...] [--timeout ms] [--verbose]
  --port     serial device of the board (e.g. /dev/ttyUSB0, /dev/ttyACM0, /dev/cu.usbserial-0001, COM3)
  --build    folder with bootloader.bin, partition-table.bin, xs_esp32.bin
             (default: the newest of $MODDABLE/build/bin/esp32/[<board>/]<release|debug>/${APP_NAME})
  --baud     baud rate for writing (default ${DEFAULT_BAUD}; the ROM talks ${ROM_BAUD} first)
  --chip     the chip the build is for; default: read from xs_esp32.bin's image header
  --timeout  base response timeout in ms (default 3000, esptool-js's); larger ones scale with it
  --no-reset leave the board in the bootloader
  --verbose  show esptool-js's own messages`;

export async function esp32Cli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const err = (m: string) => process.stderr.write(`flash:esp32: ${m}\n`);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', short: 'p' },
        build: { type: 'string', short: 'b' },
        baud: { type: 'string' },
        chip: { type: 'string' },
        timeout: { type: 'string' },
        'no-reset': { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    err(`${errorText(e)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new FlashError('usage', `--${name} must be a positive integer, got "${v}"`);
    return n;
  };
  try {
    const baud = num('baud', values.baud);
    const timeoutMs = num('timeout', values.timeout);
    const dir = resolveBuildDir(values.build, env);
    const build = loadBuild(dir, values.chip);
    process.stderr.write(`Build: ${dir} (${build.chip.name}, from ${build.chipSource === 'option' ? '--chip' : 'the image header'})\n`);
    if (!values.port) {
      const found = listSerialCandidates();
      throw new FlashError('usage', `--port is required${found.length ? `; serial ports present: ${found.join(', ')}` : ''}\n${USAGE}`);
    }
    const result = await flashEsp32({ port: values.port, build, baud, timeoutMs, verbose: values.verbose, noReset: values['no-reset'] });
    process.stderr.write(`Flashed ${result.description} on ${values.port}:\n`);
    for (const r of result.regions) process.stderr.write(`  ${hex(r.address).padEnd(8)} ${r.file.padEnd(22)} ${String(r.size).padStart(8)} bytes  md5 ${r.md5}\n`);
    return 0;
  } catch (e) {
    if (e instanceof FlashError) {
      err(e.message);
      return e.kind === 'usage' ? 2 : 1;
    }
    err(`unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

if (/[\\/]flash[\\/]esp32\.[cm]?[tj]s$/.test(process.argv[1] ?? '')) {
  esp32Cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    () => process.exit(1),
  );
}
