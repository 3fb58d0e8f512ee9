import { open, readFile } from 'node:fs/promises';
import { fail, ioError } from '../errors/index.js';
import type { Exec } from './exec.js';

/**
 * BIOS boot from a FAT partition: SYSLINUX's installer patches the FAT boot
 * sector and writes ldlinux.sys/ldlinux.c32 (through mtools: rootless, no
 * mount), and the disk's first 440 bytes get SYSLINUX's MBR code, which
 * chain-loads the active (MBR) or legacy-BIOS-bootable (GPT) partition.
 */

const MBR_CODE = {
  dos: '/usr/lib/syslinux/mbr/mbr.bin',
  gpt: '/usr/lib/syslinux/mbr/gptmbr.bin',
} as const;

/** The boot code area of an MBR; the disk id and partition table follow it. */
const BOOT_CODE_BYTES = 440;

export interface SyslinuxInstall {
  /** Image file holding the partition. */
  file: string;
  /** Byte offset of the FAT partition. */
  offset: number;
  /** Folder inside the volume holding syslinux.cfg, e.g. "syslinux". */
  directory: string;
  env: Record<string, string>;
  signal?: AbortSignal;
}

export async function installSyslinux(exec: Exec, install: SyslinuxInstall): Promise<void> {
  await exec('syslinux', ['--offset', String(install.offset), '--directory', `/${install.directory}`, '--install', install.file], {
    env: { ...install.env, MTOOLS_SKIP_CHECK: '1' },
    cancelSignal: install.signal,
  });
}

/** Writes SYSLINUX's MBR boot code into the first 440 bytes, leaving disk id and table alone. */
export async function writeMbrBootCode(file: string, table: keyof typeof MBR_CODE): Promise<void> {
  const source = MBR_CODE[table];
  const code = await readFile(source).catch((error) => {
    throw fail('mbrBootCodeMissing', { source }, { cause: error });
  });
  if (code.length > BOOT_CODE_BYTES) {
    throw fail('mbrBootCodeTooLarge', { source, bytes: code.length, maxBytes: BOOT_CODE_BYTES });
  }
  try {
    const handle = await open(file, 'r+');
    try {
      await handle.write(code, 0, code.length, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw ioError('write the MBR boot code into', file, error);
  }
}
