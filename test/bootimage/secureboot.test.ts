import test from 'ava';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BOOT_IMAGE_FILES, type BootImagePackageMetadata } from '../../src/bootimage/index.js';
import { requireSignedKernel, requireSignedModules } from '../../src/bootimage/signed.js';
import { describeBinary } from '../../src/efi/chain.js';
import { parsePe } from '../../src/efi/pe.js';
import { CapmediaError } from '../../src/errors/index.js';
import { exec } from '../../src/tools/exec.js';
import { ensureBootImage, tempDir } from '../_helpers/bootimage.js';
import { withoutSignature } from '../efi/_pe.js';

const SIGNATURE_MAGIC = '~Module signature appended~\n';

async function metadataOf(dir: string): Promise<BootImagePackageMetadata> {
  return JSON.parse(await readFile(join(dir, BOOT_IMAGE_FILES.metadata), 'utf8')) as BootImagePackageMetadata;
}

test('by default the boot image carries the signed chain at the removable-media paths, and no fbx64.efi', async (t) => {
  const dir = await ensureBootImage();
  t.deepEqual((await readdir(join(dir, 'EFI/BOOT'))).sort(), ['BOOTX64.EFI', 'grubx64.efi', 'mmx64.efi']);
  t.deepEqual(await readdir(join(dir, 'EFI/debian')), ['grub.cfg']);
  const signer = async (file: string) => describeBinary(file, parsePe(await readFile(join(dir, file)))!);
  t.true((await signer(BOOT_IMAGE_FILES.efiLoader)).signedBy.includes('Microsoft Corporation UEFI CA 2011'));
  t.deepEqual((await signer(BOOT_IMAGE_FILES.signedGrub)).signedBy, ['Debian Secure Boot CA']);
  t.deepEqual((await signer(BOOT_IMAGE_FILES.mokManager)).signedBy, ['Debian Secure Boot CA']);
  t.deepEqual((await signer(BOOT_IMAGE_FILES.kernel)).signedBy, ['Debian Secure Boot CA']);
});

test('the signed GRUB reads the same grub.cfg, which finds the medium by its task sequence and never by /.disk/info', async (t) => {
  const dir = await ensureBootImage();
  const cfg = await readFile(join(dir, BOOT_IMAGE_FILES.signedGrubCfg), 'utf8');
  t.is(cfg, await readFile(join(dir, BOOT_IMAGE_FILES.grubCfg), 'utf8'));
  t.regex(cfg, /search --no-floppy --file --set=root \/SMS\/data\/TaskSequence\.json/);
  t.notRegex(cfg, /\.disk\/info/);
});

test('capmedia-package.json records the chain and the Debian versions of shim, MokManager, GRUB and the kernel', async (t) => {
  const metadata = await metadataOf(await ensureBootImage());
  t.true(metadata.bootImage.uefi.secureBoot);
  const packages = metadata.bootImage.uefi.packages;
  for (const name of ['shim-signed', 'shim-helpers-amd64-signed', 'grub-efi-amd64-signed']) t.regex(packages[name] ?? '', /\d/, name);
  t.is(packages[`linux-image-${metadata.bootImage.kernelVersion}`], metadata.version);
});

test('every kernel module (initramfs and capture tools archive) keeps its signature, efivarfs included', async (t) => {
  const dir = await ensureBootImage();
  const { dir: scratch, cleanup } = await tempDir();
  t.teardown(cleanup);
  let count = 0;
  for (const archive of [BOOT_IMAGE_FILES.initrd, BOOT_IMAGE_FILES.agentTools]) {
    const target = join(scratch, archive.replace(/\//g, '_'));
    await exec('mkdir', ['-p', target]);
    await exec('cpio', ['-id', '--quiet'], { input: gunzipSync(await readFile(join(dir, archive))), cwd: target });
    const modules = (await readdir(target, { recursive: true })).map(String).filter((file) => file.endsWith('.ko'));
    t.true(modules.length > 0, `${archive} has no modules`);
    for (const module of modules) {
      const bytes = await readFile(join(target, module));
      t.is(bytes.subarray(-SIGNATURE_MAGIC.length).toString('latin1'), SIGNATURE_MAGIC, `${archive}: ${module} lost its signature`);
      count++;
    }
    if (archive === BOOT_IMAGE_FILES.initrd)
      t.true(
        modules.some((file) => file.endsWith('/efivarfs.ko')),
        'efivarfs.ko is in the initramfs',
      );
  }
  t.log(`${count} signed modules`);
});

test('an unsigned kernel or module is refused for a Secure Boot image, with the way out in the hint', async (t) => {
  const dir = await ensureBootImage();
  const { dir: scratch, cleanup } = await tempDir();
  t.teardown(cleanup);
  const kernel = join(scratch, 'vmlinuz');
  await writeFile(kernel, withoutSignature(await readFile(join(dir, BOOT_IMAGE_FILES.kernel))));
  const kernelError = await t.throwsAsync(requireSignedKernel(kernel, 'linux-image-6.1.0-0-amd64-unsigned'), { instanceOf: CapmediaError });
  t.is(kernelError?.code, 'BOOT_IMAGE_BUILD_FAILED');
  t.regex(kernelError?.message ?? '', /the kernel of linux-image-6\.1\.0-0-amd64-unsigned is not signed/);
  t.regex(kernelError?.hint ?? '', /--no-secure-boot/);
  await writeFile(join(scratch, 'plain.ko'), 'ELF without a signature');
  const moduleError = await t.throwsAsync(requireSignedModules(scratch, ['plain.ko']), { instanceOf: CapmediaError });
  t.regex(moduleError?.message ?? '', /without a signature .*: plain\.ko/);
});
