import { mkdir, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ioError } from '../../../errors/index.js';
import type { FatTreeInput } from '../types.js';
import { findInTree } from './layout.js';

/** Where SYSLINUX is installed on the FAT volume (the USB packer installs ldlinux there). */
export const SYSLINUX_DIRECTORY = 'syslinux';

/** Windows Boot Manager for BIOS, at the media root (x86 and x64 WinPE). */
const BOOTMGR = 'bootmgr';

/** SYSLINUX's BIOS modules, the same version as the installer's ldlinux.c32 (both from the host's syslinux packages). */
const MODULES_DIR = '/usr/lib/syslinux/modules/bios';
/** chain.c32 and the libraries it links against. */
const MODULES = ['chain.c32', 'libcom32.c32', 'libutil.c32'];

/**
 * BIOS boot of WinPE from FAT32. Windows starts bootmgr from an NT 6 boot
 * sector, which Linux tools cannot write without ms-sys; instead SYSLINUX's
 * boot sector starts chain.c32, which loads bootmgr the way that boot sector
 * would (`ntldr=`). bootmgr then reads boot/bcd and boots sources/boot.wim.
 */
export async function addChainloader(input: FatTreeInput): Promise<void> {
  const bootmgr = (await findInTree(input.treeDir, BOOTMGR)) ?? BOOTMGR;
  const folder = join(input.treeDir, SYSLINUX_DIRECTORY);
  await mkdir(folder, { recursive: true }).catch((error) => {
    throw ioError('create', folder, error);
  });
  for (const name of MODULES) await replaceFile(join(folder, name), await readModule(name), input.epoch);
  await replaceFile(join(folder, 'syslinux.cfg'), syslinuxConfig(bootmgr), input.epoch);
}

export function syslinuxConfig(bootmgr: string): string {
  return [
    '# capmedia: BIOS boot of WinPE from FAT32 (SYSLINUX chainloads Windows Boot Manager)',
    'DEFAULT bootmgr',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL bootmgr',
    '  COM32 chain.c32',
    `  APPEND ntldr=/${bootmgr}`,
    '',
  ].join('\n');
}

async function readModule(name: string): Promise<Buffer> {
  const path = join(MODULES_DIR, name);
  return readFile(path).catch((error) => {
    throw fail('winpeSyslinuxModuleMissing', { path }, { cause: error });
  });
}

/** Written aside and renamed: a file of the same name in the tree may be a hard link to a shared blob. */
async function replaceFile(path: string, body: string | Buffer, epoch: number): Promise<void> {
  const temp = `${path}.capmedia-new`;
  try {
    await writeFile(temp, body);
    await utimes(temp, epoch, epoch);
    await rename(temp, path);
  } catch (error) {
    throw ioError('write', path, error);
  }
}
