import { copyFile, mkdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exec } from '../../src/tools/exec.js';

/**
 * A synthetic WinPE boot image package, made at test time (no Microsoft file
 * exists here): a real WIM captured by wimlib, a real FAT image as efisys.bin,
 * and stand-ins of the right size for the other ADK media files.
 */
export interface WinpePackageOptions {
  /** Package paths to leave out (as spelled in `rename`'s result). */
  omit?: string[];
  /** Also carry efi/microsoft/boot/efisys_noprompt.bin (FAT label NOPROMPT). */
  noprompt?: boolean;
  /** Also carry boot/bootfix.bin (what makes etfsboot.com prompt). */
  bootfix?: boolean;
  /** The UEFI loader put into efisys.bin as EFI/BOOT/BOOTX64.EFI; default a stand-in. */
  efiLoader?: string;
  /** Two images in boot.wim, the second flagged bootable (as Windows Setup's boot.wim). */
  twoImages?: boolean;
  /** Package path → the spelling to publish it under (e.g. 'sources/boot.wim' → 'Sources/BOOT.WIM'). */
  rename?: Record<string, string>;
  /** Further files: package path → body or a host file to copy. */
  extra?: Record<string, string | Buffer | { copyFrom: string }>;
  /** The ADK architecture: its UEFI loader (bootx64/bootia32/bootaa64.efi); arm64 has no BIOS files. Default x64. */
  arch?: 'x86' | 'x64' | 'arm64';
}

const LOADERS = { x86: 'bootia32.efi', x64: 'bootx64.efi', arm64: 'bootaa64.efi' } as const;

export const PE_IMAGE_NAME = 'Microsoft Windows PE (x64)';
const EPOCH = 1_700_000_000;

export async function makeWinpePackage(folder: string, options: WinpePackageOptions = {}): Promise<string> {
  await rm(folder, { recursive: true, force: true });
  const scratch = `${folder}.scratch`;
  const arch = options.arch ?? 'x64';
  const loader = LOADERS[arch];
  const bios: Record<string, Buffer> =
    arch === 'arm64'
      ? {}
      : {
          bootmgr: Buffer.alloc(400 * 1024, 0x42),
          'boot/bcd': Buffer.alloc(16 * 1024, 0x62),
          'boot/etfsboot.com': Buffer.alloc(4096, 0xeb),
        };
  const files: Record<string, string | Buffer | { copyFrom: string }> = {
    'sources/boot.wim': { copyFrom: await captureWim(scratch, options.twoImages ?? false) },
    ...bios,
    'bootmgr.efi': Buffer.alloc(64 * 1024, 0x45),
    'boot/boot.sdi': Buffer.alloc(3 * 1024 * 1024, 0),
    [`efi/boot/${loader}`]: Buffer.alloc(64 * 1024, 0x4d),
    'efi/microsoft/boot/bcd': Buffer.alloc(16 * 1024, 0x63),
    'efi/microsoft/boot/efisys.bin': { copyFrom: await fatImage(scratch, 'efisys.bin', 'EFISYS', options.efiLoader, loader) },
    ...(options.noprompt
      ? {
          'efi/microsoft/boot/efisys_noprompt.bin': {
            copyFrom: await fatImage(scratch, 'noprompt.bin', 'NOPROMPT', options.efiLoader, loader),
          },
        }
      : {}),
    ...(options.bootfix ? { 'boot/bootfix.bin': Buffer.alloc(1024, 0xbf) } : {}),
    ...options.extra,
  };
  for (const [path, body] of Object.entries(files)) {
    const target = join(folder, options.rename?.[path] ?? path);
    if (options.omit?.includes(options.rename?.[path] ?? path)) continue;
    await mkdir(dirname(target), { recursive: true });
    if (typeof body === 'object' && 'copyFrom' in body) await copyFile(body.copyFrom, target);
    else await writeFile(target, body);
  }
  await rm(scratch, { recursive: true, force: true });
  return folder;
}

/** A small WinPE-like image: the folders TsmBootstrap's WinPE has, a few bytes each. */
async function captureWim(scratch: string, twoImages: boolean): Promise<string> {
  const tree = join(scratch, 'pe');
  await mkdir(join(tree, 'Windows/System32'), { recursive: true });
  await writeFile(join(tree, 'Windows/System32/winpeshl.ini'), '[LaunchApps]\r\n%SYSTEMDRIVE%\\sms\\bin\\x64\\TsBootShell.exe\r\n');
  await writeFile(join(tree, 'Windows/System32/startnet.cmd'), 'wpeinit\r\n');
  await utimes(join(tree, 'Windows/System32/winpeshl.ini'), EPOCH, EPOCH);
  const wim = join(scratch, 'boot.wim');
  await exec('wimlib-imagex', [
    'capture',
    tree,
    wim,
    twoImages ? 'Microsoft Windows PE (x64) 1' : PE_IMAGE_NAME,
    '--compress=LZX',
    ...(twoImages ? [] : ['--boot']),
  ]);
  if (twoImages) await exec('wimlib-imagex', ['append', tree, wim, PE_IMAGE_NAME, '--boot']);
  return wim;
}

/** A FAT image like the ADK's efisys.bin: 1.44 MB (more when the loader needs it) holding EFI/BOOT/BOOTX64.EFI (or the arch's loader). */
async function fatImage(scratch: string, name: string, label: string, loader?: string, loaderName = 'bootx64.efi'): Promise<string> {
  await mkdir(scratch, { recursive: true });
  const image = join(scratch, name);
  const source = loader ?? join(scratch, 'stand-in-BOOTX64.EFI');
  if (!loader) await writeFile(source, Buffer.alloc(32 * 1024, 0x5a));
  const kib = Math.max(1440, Math.ceil((await stat(source)).size / 1024) + 512);
  await exec('mkfs.fat', ['-C', '-n', label, image, String(kib)]);
  await exec('mmd', ['-i', image, '::/EFI', '::/EFI/BOOT']);
  await exec('mcopy', ['-i', image, source, `::/EFI/BOOT/${loaderName.toUpperCase()}`]);
  return image;
}
