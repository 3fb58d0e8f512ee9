import test from 'ava';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BOOT_IMAGE_FILES, type BootImagePackageMetadata } from '../../src/bootimage/index.js';
import { libraryDependencies } from '../../src/bootimage/depends.js';
import { parseElfDependencies, readElfDependencies } from '../../src/bootimage/elf.js';
import { resolveInRoot } from '../../src/bootimage/libraries.js';
import { exec } from '../../src/tools/exec.js';
import { ensureBootImage, tempDir } from '../_helpers/bootimage.js';

test('ELF: interpreter and needed libraries of a dynamic program; none for a static one', async (t) => {
  const curl = await readElfDependencies('/usr/bin/curl');
  t.is(curl.interpreter, '/lib64/ld-linux-x86-64.so.2');
  t.true(curl.needed.includes('libc.so.6'));
  t.true(curl.needed.includes('libcurl.so.4'));
  t.deepEqual(await readElfDependencies('/bin/busybox'), { interpreter: undefined, needed: [] });
  t.throws(() => parseElfDependencies(Buffer.from('#!/bin/sh\necho not elf\n'.padEnd(80)), 'script'), {
    message: /script is not a 64-bit little-endian ELF file/,
  });
});

test('only library packages are followed, first alternative, without versions or arch qualifiers', (t) => {
  const record =
    'Package: e2fsprogs\nPre-Depends: libblkid1 (>= 2.36), libc6 (>= 2.34), libcom-err2\nDepends: logsave, zlib1g:amd64 (>= 1:1.1.4), libfoo1 | libbar1, debconf (>= 0.5) | debconf-2.0\n';
  t.deepEqual(libraryDependencies(record), ['libblkid1', 'libc6', 'libcom-err2', 'zlib1g', 'libfoo1']);
});

test('symlinks in the unpacked packages resolve inside them, never on the build machine', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.teardown(cleanup);
  await mkdir(join(dir, 'lib/x86_64-linux-gnu'), { recursive: true });
  await mkdir(join(dir, 'lib64'));
  await writeFile(join(dir, 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'), 'loader');
  await symlink('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(dir, 'lib64/ld-linux-x86-64.so.2'));
  await symlink('/etc/passwd', join(dir, 'lib/x86_64-linux-gnu/libevil.so.1'));
  await symlink('../../../../../../etc/passwd', join(dir, 'lib/x86_64-linux-gnu/libclimb.so.1'));
  t.is(await resolveInRoot(dir, '/lib64/ld-linux-x86-64.so.2'), join(dir, 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'));
  t.is(await resolveInRoot(dir, 'lib/x86_64-linux-gnu/libevil.so.1'), undefined);
  t.is(await resolveInRoot(dir, 'lib/x86_64-linux-gnu/libclimb.so.1'), undefined);
});

async function toolsTree(): Promise<{ dir: string; files: string[]; cleanup: () => Promise<void> }> {
  const bootImage = await ensureBootImage();
  const { dir, cleanup } = await tempDir();
  const archive = gunzipSync(await readFile(join(bootImage, BOOT_IMAGE_FILES.agentTools)));
  await exec('cpio', ['-id', '--quiet'], { input: archive, cwd: dir });
  const { stdout } = await exec('cpio', ['-it', '--quiet'], { input: archive });
  return { dir, files: stdout.split('\n'), cleanup };
}

test('the tools archive holds the agent programs, every library they load, the CA bundle and the network file system modules', async (t) => {
  const { dir, files, cleanup } = await toolsTree();
  t.teardown(cleanup);
  for (const file of [
    'usr/bin/curl',
    'usr/bin/zstd',
    'usr/bin/sfdisk',
    'usr/bin/e2image',
    'lib64/ld-linux-x86-64.so.2',
    'lib/x86_64-linux-gnu/libc.so.6',
    'etc/ssl/certs/ca-certificates.crt',
    'etc/capmedia/agent-modules',
  ]) {
    t.true(files.includes(file), `${file} is not in the tools archive`);
  }
  // Every ELF file's needs are met inside the archive itself.
  const libraries = new Set(files.filter((file) => file.startsWith('lib/x86_64-linux-gnu/')).map((file) => file.split('/').at(-1)));
  for (const file of files.filter((f) => f.startsWith('usr/bin/') || f.startsWith('lib/x86_64-linux-gnu/'))) {
    for (const soname of (await readElfDependencies(join(dir, file))).needed) t.true(libraries.has(soname), `${file} needs ${soname}`);
  }
  const modules = (await readFile(join(dir, 'etc/capmedia/agent-modules'), 'utf8')).split('\n').filter(Boolean);
  for (const module of ['fs/nfs/nfs.ko', 'fs/nfs/nfsv3.ko', 'fs/smb/client/cifs.ko', 'fs/exfat/exfat.ko'])
    t.true(
      modules.some((m) => m.endsWith(module)),
      module,
    );
  t.regex(await readFile(join(dir, 'etc/ssl/certs/ca-certificates.crt'), 'utf8'), /BEGIN CERTIFICATE/);
});

test("the archived programs run with the archive's own loader and libraries", async (t) => {
  const { dir, cleanup } = await toolsTree();
  t.teardown(cleanup);
  const run = (program: string, args: string[]) =>
    exec(join(dir, 'lib64/ld-linux-x86-64.so.2'), [
      '--inhibit-cache',
      '--library-path',
      join(dir, 'lib/x86_64-linux-gnu'),
      join(dir, program),
      ...args,
    ]);
  t.regex((await run('usr/bin/curl', ['--version'])).stdout, /^curl \d/);
  t.regex((await run('usr/bin/zstd', ['--version'])).stdout, /Zstandard/);
  t.regex((await run('usr/bin/sfdisk', ['--version'])).stdout, /sfdisk from util-linux/);
});

test('the initramfs carries the agent scripts but not the tools, so firmware loads it quickly', async (t) => {
  const bootImage = await ensureBootImage();
  const archive = gunzipSync(await readFile(join(bootImage, BOOT_IMAGE_FILES.initrd)));
  const { stdout } = await exec('cpio', ['-it', '--quiet'], { input: archive });
  const files = stdout.split('\n');
  for (const script of ['agent.sh', 'agent-disk.sh', 'agent-capture.sh', 'agent-dest.sh', 'agent-net.sh', 'udhcpc.sh'])
    t.true(files.includes(`capmedia/${script}`), script);
  t.false(files.some((file) => file.startsWith('lib/x86_64-linux-gnu/')));
  t.true((await readFile(join(bootImage, BOOT_IMAGE_FILES.initrd))).length < 6 * 1024 * 1024);
  const metadata = JSON.parse(await readFile(join(bootImage, BOOT_IMAGE_FILES.metadata), 'utf8')) as BootImagePackageMetadata;
  t.true(metadata.bootImage.drivers.filesystem.includes('nfs'), "the archive's modules are declared (R2)");
});
