import { open, stat } from 'node:fs/promises';
import type { Exec } from './exec.js';
import { mtoolsEnv } from './mtools.js';

export interface FatFile {
  source: string;
  /** Path inside the FAT volume, "/" separated, e.g. "EFI/BOOT/BOOTX64.EFI". */
  target: string;
}

export interface EspImageOptions {
  output: string;
  label: string;
  files: FatFile[];
  exec: Exec;
  env: Record<string, string>;
}

/**
 * A small FAT image holding the UEFI loader, built rootless with mkfs.fat +
 * mtools. `--invariant` and SOURCE_DATE_EPOCH (read by mtools) keep it
 * byte-identical between builds.
 */
export async function writeEspImage(options: EspImageOptions): Promise<void> {
  const payload = (await Promise.all(options.files.map((f) => stat(f.source)))).reduce((sum, s) => sum + s.size, 0);
  // FAT overhead plus slack: archiso uses payload + 8 MiB; a loader-only ESP needs less.
  const kib = Math.ceil((payload / 1024 + 2048) / 1024) * 1024;
  const { exec, env, output } = options;
  await exec('mkfs.fat', ['--invariant', '-C', '-n', options.label, output, String(kib)], { env });
  const folders = new Set<string>();
  for (const file of options.files) {
    const parts = file.target.split('/').slice(0, -1);
    parts.forEach((_, i) => folders.add(parts.slice(0, i + 1).join('/')));
  }
  const sortedFolders = [...folders].sort();
  if (sortedFolders.length) await exec('mmd', ['-i', output, ...sortedFolders.map((f) => `::/${f}`)], { env: mtoolsEnv(env) });
  for (const file of options.files) {
    await exec('mcopy', ['-i', output, '-m', file.source, `::/${file.target}`], { env: mtoolsEnv(env) });
  }
}

export interface Fat32Options {
  /** Image file (or drive) holding the partition. */
  file: string;
  /** Partition start in 512-byte sectors. */
  startSector: number;
  sectors: number;
  label: string;
  /** 32-bit volume serial; fixed so the image is reproducible. */
  volumeId: number;
  exec: Exec;
  env: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * FAT32 inside a partition of an image file (`--offset`), rootless.
 * `--invariant` fixes what mkfs.fat would otherwise take from the clock;
 * hidden sectors = the partition start, which BIOS boot code relies on.
 */
export async function makeFat32(options: Fat32Options): Promise<void> {
  const { startSector, sectors } = options;
  await options.exec(
    'mkfs.fat',
    [
      '--invariant',
      '-F',
      '32',
      '-n',
      options.label,
      '-i',
      options.volumeId.toString(16).padStart(8, '0'),
      '--offset',
      String(startSector),
      '-h',
      String(startSector),
      options.file,
      String(Math.floor(sectors / 2)),
    ],
    { env: options.env, cancelSignal: options.signal },
  );
}

export type FatKind = 'FAT32' | 'FAT12/16' | 'exFAT' | 'NTFS' | 'unknown';

/** What file system a boot sector belongs to, from its BIOS parameter block. */
export function fatKindOf(sector: Buffer): FatKind {
  if (sector.length < 512 || sector.readUInt16LE(510) !== 0xaa55) return 'unknown';
  const oem = sector.toString('latin1', 3, 11);
  if (oem === 'EXFAT   ') return 'exFAT';
  if (oem === 'NTFS    ') return 'NTFS';
  const bytesPerSector = sector.readUInt16LE(11);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector) || sector[13] === 0 || sector[16] === 0) return 'unknown';
  // FAT32 has no 16-bit FAT size and no fixed root directory (Microsoft FAT spec, BPB_FATSz16 / BPB_RootEntCnt).
  return sector.readUInt16LE(22) === 0 && sector.readUInt16LE(17) === 0 ? 'FAT32' : 'FAT12/16';
}

export async function readFatKind(file: string, offset: number): Promise<FatKind> {
  const handle = await open(file, 'r');
  try {
    const sector = Buffer.alloc(512);
    const { bytesRead } = await handle.read(sector, 0, 512, offset);
    return bytesRead === 512 ? fatKindOf(sector) : 'unknown';
  } finally {
    await handle.close();
  }
}

/**
 * Copies the boot sector to its FAT32 backup (BPB_BkBootSec). SYSLINUX's
 * installer patches only the primary, which `fsck.fat` then reports as a
 * difference; Windows' chkdsk would "repair" it.
 */
export async function syncBackupBootSector(file: string, offset: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const sector = Buffer.alloc(512);
    await handle.read(sector, 0, 512, offset);
    if (fatKindOf(sector) !== 'FAT32') return;
    const backup = sector.readUInt16LE(50);
    if (backup === 0 || backup === 0xffff) return;
    await handle.write(sector, 0, 512, offset + backup * sector.readUInt16LE(11));
  } finally {
    await handle.close();
  }
}
