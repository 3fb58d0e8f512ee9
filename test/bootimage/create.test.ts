import test from 'ava';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BOOT_IMAGE_FILES, KERNEL_CMDLINE, createBootImage, type BootImagePackageMetadata } from '../../src/bootimage/index.js';
import { CapmediaError } from '../../src/errors/index.js';
import { exec } from '../../src/tools/exec.js';
import { CACHE_DIR, ensureBootImage, tempDir } from '../_helpers/bootimage.js';

async function initrdListing(dir: string, verbose = false): Promise<string[]> {
  const archive = gunzipSync(await readFile(join(dir, BOOT_IMAGE_FILES.initrd)));
  // GNU cpio reads the archive independently of the writer under test.
  const { stdout } = await exec('cpio', [verbose ? '-itv' : '-it', '--quiet'], { input: archive });
  return stdout.split('\n');
}

test('the boot image folder has every file the packer relies on', async (t) => {
  const dir = await ensureBootImage();
  for (const file of Object.values(BOOT_IMAGE_FILES)) {
    const info = await stat(join(dir, file)).catch(() => undefined);
    t.truthy(info?.isFile() && info.size > 0, `${file} is missing or empty`);
    t.is(info?.mtimeMs, 0, `${file} mtime is not normalized`);
  }
});

test('capmedia-package.json declares a linux x64 boot image with its drivers', async (t) => {
  const dir = await ensureBootImage();
  const metadata = JSON.parse(await readFile(join(dir, BOOT_IMAGE_FILES.metadata), 'utf8')) as BootImagePackageMetadata;
  t.is(metadata.kind, 'bootimage');
  t.is(metadata.name, 'capmedia linux boot image (x64)');
  t.regex(metadata.version, /^\d+\.\d+/);
  t.is(metadata.bootImage.platform, 'linux');
  t.is(metadata.bootImage.arch, 'x64');
  t.regex(metadata.bootImage.kernelVersion, /^\d+\.\d+\.\d+-\d+-amd64$/);
  t.true(metadata.bootImage.drivers.storage.includes('ahci'));
  t.true(metadata.bootImage.drivers.usb.includes('usb_storage'));
  t.true(metadata.bootImage.drivers.cdrom.includes('sr_mod'));
  t.true(metadata.bootImage.drivers.network.includes('e1000e'));
  t.true(metadata.bootImage.drivers.filesystem.includes('vfat'));
});

test('the initramfs holds /init, busybox, the module closure and its depmod index', async (t) => {
  const dir = await ensureBootImage();
  const metadata = JSON.parse(await readFile(join(dir, BOOT_IMAGE_FILES.metadata), 'utf8')) as BootImagePackageMetadata;
  const files = await initrdListing(dir);
  const modules = `lib/modules/${metadata.bootImage.kernelVersion}`;
  for (const file of ['init', 'bin/busybox', 'bin/sh', 'dev/console', 'etc/capmedia/modules', `${modules}/modules.dep`]) {
    t.true(files.includes(file), `${file} is not in the initramfs`);
  }
  for (const module of [
    'drivers/ata/ahci',
    'drivers/usb/storage/usb-storage',
    'drivers/scsi/sr_mod',
    'fs/isofs/isofs',
    'fs/nls/nls_ascii',
    'drivers/ata/libata',
  ]) {
    t.true(
      files.some((file) => file.startsWith(`${modules}/kernel/${module}.ko`)),
      `${module}.ko is not in the initramfs`,
    );
  }
  // Keeps TCG boots fast: the whole kernel tree is ~390 MB, the closure a few.
  t.true(files.filter((file) => file.endsWith('.ko')).length < 100);
});

test('the initramfs entries are owned by root with normalized mtimes', async (t) => {
  const dir = await ensureBootImage();
  const lines = (await initrdListing(dir, true)).filter(Boolean);
  t.true(lines.length > 50);
  for (const line of lines) t.regex(line, /^\S+\s+\d+ root\s+root\s+.*Jan {2}1 {2}1970 /, line);
  t.true(lines.some((line) => /^-rwxr-xr-x .* init$/.test(line)));
  t.true(lines.some((line) => /^crw------- .* 5,\s+1 .* dev\/console$/.test(line)));
});

test('/init in the initramfs is the current template', async (t) => {
  const dir = await ensureBootImage();
  const archive = gunzipSync(await readFile(join(dir, BOOT_IMAGE_FILES.initrd)));
  const { dir: extractDir, cleanup } = await tempDir();
  t.teardown(cleanup);
  await exec('cpio', ['-id', '--quiet', 'init'], { input: archive, cwd: extractDir });
  t.is(await readFile(join(extractDir, 'init'), 'utf8'), await readFile(new URL('../../templates/linux/init.sh', import.meta.url), 'utf8'));
});

test('boot menus load the same kernel and initrd with the serial console', async (t) => {
  const dir = await ensureBootImage();
  const grub = await readFile(join(dir, BOOT_IMAGE_FILES.grubCfg), 'utf8');
  t.regex(grub, /search --no-floppy --file --set=root \/SMS\/data\/TaskSequence\.json/);
  t.true(grub.includes(`linux ($root)/boot/vmlinuz ${KERNEL_CMDLINE}`));
  t.true(grub.includes('initrd ($root)/boot/initrd.img'));
  t.regex(grub, /set timeout=0/);
  for (const file of [BOOT_IMAGE_FILES.isolinuxCfg, BOOT_IMAGE_FILES.syslinuxCfg]) {
    const cfg = await readFile(join(dir, file), 'utf8');
    t.regex(cfg, /^PROMPT 0$/m, file);
    t.regex(cfg, /^TIMEOUT [01]$/m, file);
    t.regex(cfg, /^\s*LINUX \/boot\/vmlinuz$/m, file);
    t.regex(cfg, /^\s*INITRD \/boot\/initrd\.img$/m, file);
    t.true(cfg.includes('console=ttyS0,115200'), file);
  }
  t.true(KERNEL_CMDLINE.includes('console=ttyS0,115200'));
});

test('a second build from the warm cache is byte-identical and leaves no temp folders', async (t) => {
  const first = await ensureBootImage();
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const progress: string[] = [];
  const started = Date.now();
  const result = await createBootImage({
    arch: 'x64',
    outDir: join(dir, 'again'),
    cacheDir: CACHE_DIR,
    // The image ensureBootImage built; the environment's SOURCE_DATE_EPOCH must not make this one differ.
    sourceDateEpoch: 0,
    onProgress: (message) => progress.push(message),
  });
  t.log(`warm build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.is(result.outDir, join(dir, 'again'));
  for (const file of [BOOT_IMAGE_FILES.initrd, BOOT_IMAGE_FILES.kernel, BOOT_IMAGE_FILES.efiLoader, BOOT_IMAGE_FILES.metadata]) {
    t.true((await readFile(join(first, file))).equals(await readFile(join(dir, 'again', file))), `${file} differs between builds`);
  }
  t.true(
    progress.some((line) => line.startsWith('reusing cached linux-image-')),
    progress.join('\n'),
  );
  t.true(
    progress.some((line) => line.startsWith('reusing cached shim-signed_')),
    progress.join('\n'),
  );
  t.deepEqual(await readdir(dir), ['again']);
});

test('an unsupported architecture is refused before any work, naming the supported ones', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const error = await t.throwsAsync(createBootImage({ arch: 'arm64' as 'x64', outDir: join(dir, 'out'), cacheDir: join(dir, 'cache') }), {
    instanceOf: CapmediaError,
  });
  t.is(error?.code, 'BOOT_IMAGE_BUILD_FAILED');
  t.regex(error?.message ?? '', /arm64/);
  t.regex(error?.hint ?? '', /x64/);
  t.false(
    await stat(join(dir, 'out')).then(
      () => true,
      () => false,
    ),
  );
});

test('a failed build leaves the previous boot image folder untouched', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const outDir = join(dir, 'image');
  await mkdir(outDir);
  // A previous boot image (it holds capmedia-package.json): the only kind of folder a build may replace.
  await writeFile(join(outDir, BOOT_IMAGE_FILES.metadata), 'old\n');
  await t.throwsAsync(
    createBootImage({ arch: 'x64', outDir, cacheDir: CACHE_DIR, kernelPackage: 'linux-image-0.0.0-0-nonexistent-amd64' }),
    { instanceOf: CapmediaError },
  );
  t.is(await readFile(join(outDir, BOOT_IMAGE_FILES.metadata), 'utf8'), 'old\n');
  t.deepEqual(await readdir(dir), ['image']);
});

test('an aborted signal ends the build with CANCELLED and writes nothing', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  const controller = new AbortController();
  controller.abort();
  const error = await t.throwsAsync(
    createBootImage({ arch: 'x64', outDir: join(dir, 'out'), cacheDir: CACHE_DIR, signal: controller.signal }),
    { instanceOf: CapmediaError },
  );
  t.is(error?.code, 'CANCELLED');
  t.deepEqual(await readdir(dir), []);
});
