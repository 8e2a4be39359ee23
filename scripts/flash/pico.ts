// `npm run flash:pico -- [--uf2 <file>] [--drive <mount>] [--wait <seconds>]`
//
// Validates a UF2 (see uf2.ts) before anything is copied, finds the Pico's USB mass-storage drive (RPI-RP2
// for RP2040, RP2350 for RP2350: the folder holding INFO_UF2.TXT) or waits for it, checks the drive's chip
// against the UF2 family, copies the file, and reports whether the board rebooted (the drive goes away).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Uf2Error, type Uf2Summary, validateUf2 } from './uf2';
import { readImage } from './read-image';

export const DRIVE_NAMES = ['RPI-RP2', 'RP2350'] as const;
export const INFO_FILE = 'INFO_UF2.TXT';

export class PicoFlashError extends Error {
  override name = 'PicoFlashError';
  constructor(readonly kind: 'usage' | 'missing-file' | 'invalid-uf2' | 'no-drive' | 'wrong-chip' | 'copy', message: string) {
    super(message);
  }
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
/**
 * The app's name in Moddable's build folders (mcconfig names it after the folder of its manifest): the app in
 * the current directory (`xs-async flash` in an app made with the starter), else this repository's demo.
 */
const APP_NAME = path.resolve(process.cwd()) !== PROJECT_ROOT && fs.existsSync(path.join(process.cwd(), 'manifest.json')) ? path.basename(process.cwd()) : 'demo';

/** Where a Moddable pico build puts xs_pico.uf2, newest first when several exist. */
export function defaultUf2Candidates(moddable: string | undefined, app = APP_NAME): string[] {
  if (!moddable) return [];
  const base = path.join(moddable, 'build', 'bin', 'pico');
  const out = [path.join(base, 'release', app, 'xs_pico.uf2'), path.join(base, 'debug', app, 'xs_pico.uf2')];
  try {
    for (const b of fs.readdirSync(base).filter((d) => d !== 'release' && d !== 'debug').sort()) {
      out.push(path.join(base, b, 'release', app, 'xs_pico.uf2'), path.join(base, b, 'debug', app, 'xs_pico.uf2'));
    }
  } catch {
    // no pico build
  }
  return out;
}

export function resolveUf2(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (option) {
    const f = path.resolve(option);
    if (!fs.existsSync(f)) throw new PicoFlashError('missing-file', `UF2 file ${f} does not exist`);
    return f;
  }
  if (!env.MODDABLE) {
    throw new PicoFlashError('missing-file', 'no --uf2 given and MODDABLE is not set: pass --uf2 <file> (xs_pico.uf2 from "npm run build:pico") or set MODDABLE');
  }
  const candidates = defaultUf2Candidates(env.MODDABLE);
  const found = candidates.filter((f) => fs.existsSync(f));
  if (found.length === 0) {
    throw new PicoFlashError('missing-file', `xs_pico.uf2 not found; searched ${candidates[0]} (and the other <release|debug> and board folders under ${path.join(env.MODDABLE, 'build', 'bin', 'pico')}).\n  Build first with "npm run build:pico", or pass --uf2 <file>`);
  }
  return found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]!;
}

/** Mount points where the bootrom's drive shows up, per OS. */
export function driveCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const user = env.USER ?? env.LOGNAME ?? (() => {
    try {
      return os.userInfo().username;
    } catch {
      return '';
    }
  })();
  const out: string[] = [];
  for (const name of DRIVE_NAMES) {
    if (process.platform === 'darwin') out.push(`/Volumes/${name}`);
    else if (process.platform === 'win32') continue;
    else out.push(`/media/${user}/${name}`, `/run/media/${user}/${name}`, `/media/${name}`, `/mnt/${name}`);
  }
  if (process.platform === 'win32') for (const l of 'DEFGHIJKLMNOPQRSTUVWXYZ') out.push(`${l}:\\`);
  return out;
}

export interface DriveInfo {
  path: string;
  /** from INFO_UF2.TXT: "RPI-RP2" (RP2040) or "RP2350" */
  boardId: string;
  chip: 'RP2040' | 'RP2350' | 'unknown';
  info: string;
}

export function readDrive(dir: string): DriveInfo | null {
  let info: string;
  try {
    info = fs.readFileSync(path.join(dir, INFO_FILE), 'utf8');
  } catch {
    return null;
  }
  const boardId = /^Board-ID:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? '';
  const model = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? '';
  const chip = /RP2350/i.test(boardId + model) ? 'RP2350' : /RPI-RP2|RP2040|Raspberry Pi RP2\b/i.test(boardId + model) ? 'RP2040' : 'unknown';
  return { path: dir, boardId, chip, info };
}

export async function findDrive(candidates: readonly string[], waitMs: number, onWaiting: () => void): Promise<DriveInfo> {
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    for (const c of candidates) {
      const d = readDrive(c);
      if (d) return d;
    }
    if (Date.now() >= deadline) {
      throw new PicoFlashError(
        'no-drive',
        `no RPI-RP2 / RP2350 drive (a folder with ${INFO_FILE}) appeared within ${Math.round(waitMs / 1000)} s.\n` +
          '  Hold the BOOTSEL button while plugging the Pico in (or while pressing RESET), and make sure the drive is mounted;\n' +
          `  looked in: ${candidates.join(', ')}; pass --drive <mount point> if it is elsewhere`,
      );
    }
    if (!announced) {
      onWaiting();
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface FlashPicoOptions {
  uf2: string;
  /** the drive's mount point; default: search driveCandidates() */
  drive?: string;
  candidates?: string[];
  /** how long to wait for the drive (default 60 s) */
  waitMs?: number;
  /** how long to watch for the drive going away after the copy (default 5 s) */
  ejectWaitMs?: number;
  log?: (line: string) => void;
}

export interface FlashPicoResult {
  summary: Uf2Summary;
  drive: DriveInfo;
  target: string;
  bytes: number;
  rebooted: boolean;
}

export async function flashPico(options: FlashPicoOptions): Promise<FlashPicoResult> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let bytes: Uint8Array;
  try {
    bytes = readImage(options.uf2);
  } catch (err) {
    throw new PicoFlashError('missing-file', (err as Error).message);
  }
  let summary: Uf2Summary;
  try {
    summary = validateUf2(bytes);
  } catch (err) {
    if (err instanceof Uf2Error) throw new PicoFlashError('invalid-uf2', `${path.basename(options.uf2)} is not a valid UF2 for RP2040/RP2350: ${err.message}. Nothing was copied.`);
    throw err;
  }
  const kib = ((summary.end - summary.start) / 1024).toFixed(1);
  log(`${path.basename(options.uf2)}: ${summary.flashBlocks} blocks for ${summary.familyName}, flash 0x${summary.start.toString(16)}..0x${summary.end.toString(16)} (${kib} KiB)` +
    `${summary.absoluteBlocks ? ', with picotool\'s RP2350-E10 absolute block' : ''}`);

  const candidates = options.drive ? [path.resolve(options.drive)] : (options.candidates ?? driveCandidates());
  const drive = await findDrive(candidates, options.waitMs ?? 60_000, () =>
    log(`Waiting for the Pico's USB drive (RPI-RP2 / RP2350): hold BOOTSEL while plugging the board in, or while pressing RESET...`),
  );
  log(`Found ${drive.boardId || 'UF2'} drive at ${drive.path} (${drive.chip}).`);
  if (drive.chip !== 'unknown' && drive.chip !== summary.chip) {
    throw new PicoFlashError('wrong-chip', `the UF2 is for ${summary.familyName} but the board at ${drive.path} is an ${drive.chip} (${INFO_FILE} Board-ID: ${drive.boardId}): its bootrom would ignore the file. Nothing was copied.`);
  }

  const target = path.join(drive.path, path.basename(options.uf2));
  let written = 0;
  try {
    const fd = fs.openSync(target, 'w');
    try {
      while (written < bytes.length) written += fs.writeSync(fd, bytes, written, Math.min(64 * 1024, bytes.length - written));
      fs.fsyncSync(fd);
    } finally {
      try {
        fs.closeSync(fd);
      } catch {
        // the bootrom may reboot (and the drive vanish) as soon as the last block lands
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(written === bytes.length && (code === 'EIO' || code === 'ENOENT' || code === 'ENODEV'))) {
      throw new PicoFlashError('copy', `copying to ${target} failed after ${written} of ${bytes.length} bytes: ${(err as Error).message}`);
    }
  }
  log(`Copied ${bytes.length} bytes to ${target}.`);

  // The bootrom writes the flash as blocks arrive and reboots after the last one: the drive goes away.
  const ejectDeadline = Date.now() + (options.ejectWaitMs ?? 5000);
  let rebooted = false;
  while (Date.now() < ejectDeadline) {
    if (!fs.existsSync(path.join(drive.path, INFO_FILE))) {
      rebooted = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!rebooted && !fs.existsSync(path.join(drive.path, INFO_FILE))) rebooted = true;
  log(rebooted
    ? 'The drive went away: the Pico rebooted into the new firmware.'
    : `The drive is still there after ${Math.round((options.ejectWaitMs ?? 5000) / 1000)} s: the bootrom may not have taken the file (check the board), or the OS keeps a stale mount.`);
  return { summary, drive, target, bytes: bytes.length, rebooted };
}

const USAGE = `usage: npm run flash:pico -- [--uf2 <file>] [--drive <mount>] [--wait <seconds>] [--confirm-wait <seconds>]
  --uf2    the UF2 to flash (default: the newest $MODDABLE/build/bin/pico/[<board>/]<release|debug>/${APP_NAME}/xs_pico.uf2)
  --drive  the mount point of the RPI-RP2 / RP2350 drive (default: looked for under /media/$USER, /run/media/$USER, /Volumes)
  --wait   seconds to wait for the drive (default 60)
  --confirm-wait  seconds to wait, after the copy, for the drive to go away (the reboot that confirms it; default 5)
Exits 0 once the board rebooted into the new firmware, 1 if that could not be confirmed or anything failed.`;

export async function picoCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const err = (m: string) => process.stderr.write(`flash:pico: ${m}\n`);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { uf2: { type: 'string' }, drive: { type: 'string' }, wait: { type: 'string' }, 'confirm-wait': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const wait = values.wait === undefined ? 60 : Number(values.wait);
    if (!Number.isFinite(wait) || wait < 0) throw new PicoFlashError('usage', `--wait must be a number of seconds, got "${values.wait}"`);
    const confirmWait = values['confirm-wait'] === undefined ? 5 : Number(values['confirm-wait']);
    if (!Number.isFinite(confirmWait) || confirmWait < 0) throw new PicoFlashError('usage', `--confirm-wait must be a number of seconds, got "${values['confirm-wait']}"`);
    const uf2 = resolveUf2(values.uf2, env);
    const r = await flashPico({ uf2, drive: values.drive, candidates: driveCandidates(env), waitMs: wait * 1000, ejectWaitMs: confirmWait * 1000 });
    if (!r.rebooted) {
      // the copy went through, but nothing shows that the bootrom took it: not a success
      err(`copied ${path.basename(uf2)} to ${r.drive.path}, but the drive did not go away within ${confirmWait} s, so the flash is not confirmed: ` +
        'check that the board rebooted (unplug and replug it without BOOTSEL), then flash again if it did not.');
      return 1;
    }
    process.stderr.write(`Flashed ${path.basename(uf2)} (${r.summary.familyName}) to ${r.drive.path}; the board is running it.\n`);
    return 0;
  } catch (e) {
    if (e instanceof PicoFlashError) {
      err(e.message);
      return e.kind === 'usage' ? 2 : 1;
    }
    err(`unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

if (/[\\/]flash[\\/]pico\.[cm]?[tj]s$/.test(process.argv[1] ?? '')) {
  picoCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    () => process.exit(1),
  );
}
