import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeUefiChain, type UefiChain } from '../efi/chain.js';
import { exec } from '../tools/exec.js';
import { copyFromVolume, type FatVolume } from '../tools/mtools.js';
import { extractFromIso } from '../tools/xorriso.js';

/** The UEFI chain of an ISO, read from its ISO 9660 tree (where GRUB reads too when booted as a CD). */
export function isoUefiChain(iso: string, scratch: string): Promise<UefiChain | undefined> {
  return describeUefiChain((path) => readVia((target) => extractFromIso(exec, iso, path, target), scratch, path));
}

/** The UEFI chain of a FAT32 USB volume (which is also its ESP). */
export function fatUefiChain(volume: FatVolume, scratch: string): Promise<UefiChain | undefined> {
  return describeUefiChain((path) => readVia((target) => copyFromVolume(exec, volume, path, target), scratch, path));
}

async function readVia(copy: (target: string) => Promise<void>, scratch: string, path: string): Promise<Buffer | undefined> {
  const target = join(scratch, `efi-${path.replace(/\//g, '_')}`);
  try {
    await copy(target);
    return await readFile(target);
  } catch {
    return undefined;
  }
}
