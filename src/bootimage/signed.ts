import { copyFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fail } from '../errors/index.js';
import { parsePe } from '../efi/pe.js';
import { describePackages, fetchDeb, unpackDeb } from './debs.js';
import { BOOT_IMAGE_FILES } from './layout.js';
import type { BuildContext } from './types.js';

/**
 * The Secure Boot chain from Debian's signed packages: shim (signed by
 * Microsoft's UEFI CA, so firmware with the default keys starts it) → GRUB
 * and MokManager (signed by Debian, trusted through shim's built-in
 * certificate) → the Debian-signed kernel → Debian-signed modules. The
 * binaries are used as shipped (re-signing or rebuilding them would break the
 * chain), so they are fixed files and the image stays reproducible.
 *
 * The signed GRUB embeds no configuration and loads no modules: it reads
 * /EFI/debian/grub.cfg on the device it was started from, and only when that
 * folder is missing does it search every disk for /.disk/info — which could
 * boot another stick. The folder is therefore always shipped, and the medium
 * itself is found by grub.cfg through the task sequence file.
 */

interface SignedFile {
  debianPackage: string;
  source: string;
  target: string;
}

const SIGNED_FILES: readonly SignedFile[] = [
  { debianPackage: 'shim-signed', source: 'usr/lib/shim/shimx64.efi.signed', target: BOOT_IMAGE_FILES.efiLoader },
  { debianPackage: 'shim-helpers-amd64-signed', source: 'usr/lib/shim/mmx64.efi.signed', target: BOOT_IMAGE_FILES.mokManager },
  {
    debianPackage: 'grub-efi-amd64-signed',
    source: 'usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed',
    target: BOOT_IMAGE_FILES.signedGrub,
  },
];

/** What the kernel appends to a signed module (scripts/sign-file.c). */
const MODULE_SIGNATURE_MAGIC = Buffer.from('~Module signature appended~\n');

/**
 * Puts shim, MokManager and the signed GRUB at the removable-media paths and
 * grub.cfg where that GRUB reads it. Returns the Debian package versions used.
 */
export async function writeSignedLoaders(ctx: BuildContext, stageDir: string, grubCfg: string): Promise<Record<string, string>> {
  const names = [...new Set(SIGNED_FILES.map((file) => file.debianPackage))];
  const packages = await describePackages(ctx, names);
  const versions: Record<string, string> = {};
  for (const pkg of packages) {
    const root = join(ctx.workDir, 'signed', pkg.name);
    await unpackDeb(ctx, await fetchDeb(ctx, pkg), root);
    versions[pkg.name] = pkg.version;
    for (const file of SIGNED_FILES.filter((f) => f.debianPackage === pkg.name)) {
      await requireSignedPe(join(root, file.source), `${file.source} of ${pkg.name} ${pkg.version}`);
      await mkdir(dirname(join(stageDir, file.target)), { recursive: true });
      await copyFile(join(root, file.source), join(stageDir, file.target));
    }
  }
  await mkdir(dirname(join(stageDir, BOOT_IMAGE_FILES.signedGrubCfg)), { recursive: true });
  await writeFile(join(stageDir, BOOT_IMAGE_FILES.signedGrubCfg), grubCfg);
  ctx.progress(
    `Secure Boot chain: ${Object.entries(versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  );
  return versions;
}

/** The kernel must carry an Authenticode signature, or GRUB refuses it under Secure Boot ("bad shim signature"). */
export async function requireSignedKernel(kernel: string, kernelPackage: string): Promise<void> {
  await requireSignedPe(
    kernel,
    `the kernel of ${kernelPackage}`,
    'Use the signed linux-image-<version>-amd64 package, not an -unsigned one',
  );
}

async function requireSignedPe(
  path: string,
  what: string,
  fix = 'Run apt-get update and try again; the package may be damaged',
): Promise<void> {
  const image = parsePe(await readFile(path));
  if (image && image.signatures.length > 0) return;
  throw fail('unsignedEfiImage', { what, problem: image ? 'not signed' : 'not a UEFI (PE) image', fix });
}

/**
 * Under Secure Boot the kernel is locked down and loads only signed modules;
 * an unsigned one would fail at boot, far from its cause, so it fails here.
 */
export async function requireSignedModules(dir: string, files: readonly string[]): Promise<void> {
  const unsigned: string[] = [];
  for (const file of files) if (!(await endsWith(join(dir, file), MODULE_SIGNATURE_MAGIC))) unsigned.push(file);
  if (unsigned.length === 0) return;
  throw fail('unsignedKernelModules', { unsigned: unsigned.join(', ') });
}

async function endsWith(path: string, suffix: Buffer): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < suffix.length) return false;
    const tail = Buffer.alloc(suffix.length);
    await handle.read(tail, 0, suffix.length, size - suffix.length);
    return tail.equals(suffix);
  } finally {
    await handle.close();
  }
}
