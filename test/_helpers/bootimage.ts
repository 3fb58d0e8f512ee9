import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { createBootImage } from '../../src/bootimage/index.js';
import { exec } from '../../src/tools/exec.js';
import { isProcessAlive as isAlive } from '../../src/tools/process.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Same folders the setup script uses, so a boot image built there is reused here. */
export const BOOT_IMAGE_DIR = join(REPO_ROOT, '.capmedia/bootimage-x64');
export const CACHE_DIR = join(REPO_ROOT, '.capmedia/cache');
const LOCK_DIR = `${BOOT_IMAGE_DIR}.lock`;
/** Hash of the sources the helper last built from; a different hash means the image is stale. */
const STAMP_FILE = join(CACHE_DIR, 'bootimage-x64.test-stamp');
const STALE_LOCK_MS = 20 * 60_000;

/**
 * The x64 boot image every boot test uses, built once across ava's worker
 * processes. Rebuilt when absent, or when this helper built it from other
 * templates/builder sources than the current ones.
 */
export async function ensureBootImage(): Promise<string> {
  const stamp = await sourceStamp();
  if (await isCurrent(stamp)) return BOOT_IMAGE_DIR;
  await withLock(async () => {
    if (await isCurrent(stamp)) return;
    await createBootImage({ arch: 'x64', outDir: BOOT_IMAGE_DIR, cacheDir: CACHE_DIR });
    await writeFile(STAMP_FILE, stamp);
  });
  return BOOT_IMAGE_DIR;
}

async function isCurrent(stamp: string): Promise<boolean> {
  const built = await stat(join(BOOT_IMAGE_DIR, 'capmedia-package.json')).then(
    () => true,
    () => false,
  );
  if (!built) return false;
  const previous = await readFile(STAMP_FILE, 'utf8').catch(() => undefined);
  return previous === undefined || previous === stamp;
}

async function sourceStamp(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of ['templates/linux', 'src/bootimage']) {
    for (const name of (await readdir(join(REPO_ROOT, dir))).sort()) {
      hash.update(`${dir}/${name}\0`).update(await readFile(join(REPO_ROOT, dir, name)));
    }
  }
  return hash.digest('hex');
}

/** mkdir is atomic: whoever creates the folder holds the lock. A dead owner's lock is broken. */
async function withLock(work: () => Promise<void>): Promise<void> {
  await mkdir(join(REPO_ROOT, '.capmedia'), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, 'owner'), JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await lockIsStale()) await breakLock();
      else await delay(500);
    }
  }
  try {
    await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

async function lockIsStale(): Promise<boolean> {
  const info = await stat(LOCK_DIR).catch(() => undefined);
  if (!info) return false;
  const owner = await readFile(join(LOCK_DIR, 'owner'), 'utf8').then(
    (text) => JSON.parse(text) as { pid: number; host: string; at: number },
    () => undefined,
  );
  // No owner file yet: the owner is between mkdir and writeFile, unless that was long ago.
  if (!owner) return Date.now() - info.mtimeMs > 10_000;
  if (Date.now() - owner.at > STALE_LOCK_MS) return true;
  return owner.host === hostname() && !isAlive(owner.pid);
}

/** Renamed first so that only one waiter breaks it. */
async function breakLock(): Promise<void> {
  const aside = `${LOCK_DIR}.stale-${process.pid}-${Date.now()}`;
  if (
    await rename(LOCK_DIR, aside).then(
      () => true,
      () => false,
    )
  )
    await rm(aside, { recursive: true, force: true });
}

export interface TestIsoOptions {
  bootImageDir: string;
  /** Task sequence name written to SMS/data; omit for media without a task sequence. */
  taskSequenceName?: string;
  after?: 'poweroff' | 'reboot' | 'shell';
  /** Raw TaskSequence.vars text instead of the well-formed one. */
  varsText?: string;
  /** Boot records to add; an ISO with none is the negative control. */
  bios?: boolean;
  uefi?: boolean;
}

/** A temp folder removed by the returned cleanup function. */
export async function tempDir(prefix = 'capmedia-bootimage-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The shell-safe vars file /init sources (same quoting as the packer). */
export function taskSequenceVars(name: string, after: string): string {
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  return `CAPMEDIA_TS_NAME=${quote(name)}\nCAPMEDIA_TS_AFTER=${quote(after)}\nCAPMEDIA_TS_VERSION='1'\n`;
}

/**
 * A small hybrid ISO like the packer's: ISOLINUX El Torito + isohybrid MBR for
 * BIOS, an El Torito EFI image (FAT, BOOTX64.EFI) exposed in the GPT for UEFI.
 */
export async function makeTestIso(dir: string, options: TestIsoOptions): Promise<string> {
  const bootImage = options.bootImageDir;
  const grafts: string[] = [`boot=${join(bootImage, 'boot')}`];
  if (options.taskSequenceName !== undefined) {
    const data = join(dir, 'tree/SMS/data');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'TaskSequence.json'), JSON.stringify({ version: 1, name: options.taskSequenceName, steps: [] }));
    await writeFile(
      join(data, 'TaskSequence.vars'),
      options.varsText ?? taskSequenceVars(options.taskSequenceName, options.after ?? 'poweroff'),
    );
    grafts.push(`SMS=${join(dir, 'tree/SMS')}`);
  }
  const bootArgs: string[] = [];
  if (options.bios) {
    grafts.push(`isolinux=${join(bootImage, 'isolinux')}`);
    bootArgs.push(
      '-eltorito-boot',
      'isolinux/isolinux.bin',
      '-eltorito-catalog',
      'isolinux/boot.cat',
      '-no-emul-boot',
      '-boot-load-size',
      '4',
      '-boot-info-table',
      '-isohybrid-mbr',
      join(bootImage, 'isolinux/isohdpfx.bin'),
    );
  }
  if (options.uefi) {
    grafts.push(`EFI=${join(bootImage, 'EFI')}`, `efiboot.img=${await makeEspImage(dir, bootImage)}`);
    bootArgs.push('-eltorito-alt-boot', '-e', 'efiboot.img', '-no-emul-boot', ...(options.bios ? ['-isohybrid-gpt-basdat'] : []));
  }
  const iso = join(dir, 'test.iso');
  await exec('xorriso', [
    '-no_rc',
    '-as',
    'mkisofs',
    '-iso-level',
    '3',
    '-full-iso9660-filenames',
    '-joliet',
    '-joliet-long',
    '-rational-rock',
    '-volid',
    'CAPMEDIA_TEST',
    '-graft-points',
    ...bootArgs,
    '-o',
    iso,
    ...grafts,
  ]);
  return iso;
}

/** The boot image's whole EFI folder (shim, signed GRUB, MokManager, EFI/debian/grub.cfg — or the standalone GRUB). */
async function makeEspImage(dir: string, bootImage: string): Promise<string> {
  const image = join(dir, 'efiboot.img');
  const files = (await readdir(join(bootImage, 'EFI'), { recursive: true })).map(String).sort();
  let bytes = 0;
  for (const file of files) bytes += (await stat(join(bootImage, 'EFI', file))).size;
  await exec('mkfs.fat', ['-C', '-n', 'CAPMEDIAESP', image, String(Math.ceil(bytes / 1024) + 2048)]);
  await exec('mcopy', ['-s', '-i', image, join(bootImage, 'EFI'), '::/']);
  return image;
}
