import test from 'ava';
import { copyFile, link, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { CapmediaError } from '../../src/errors/index.js';
import { listFolder } from '../../src/library/walk.js';
import { sha256File } from '../../src/library/hash.js';
import { winpePlatform } from '../../src/plugins/boot/winpe/index.js';
import type { MediaFile, PrepareContentInput } from '../../src/plugins/boot/types.js';
import { exec } from '../../src/tools/exec.js';
import { makeWinpePackage, PE_IMAGE_NAME, type WinpePackageOptions } from './_winpe.js';

const ENV = { SOURCE_DATE_EPOCH: '1700000000', TZ: 'UTC', LC_ALL: 'C' };
const TS_JSON = `${JSON.stringify({ version: 1, name: 'Capture WinPE Test' }, null, 2)}\n`;

let root: string;
test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'capmedia-winpe-'));
});
test.after.always(async () => rm(root, { recursive: true, force: true }));

interface Fixture {
  input: PrepareContentInput;
  files: MediaFile[];
  notices: string[];
  blobs: string;
}

/** The stage step's view of a published package: blobs by sha256, plus the generated task sequence files. */
async function fixture(name: string, options: WinpePackageOptions = {}): Promise<Fixture> {
  const dir = join(root, name);
  const blobs = join(dir, 'blobs');
  await mkdir(blobs, { recursive: true });
  const store = async (path: string) => {
    const { sha256, size } = await sha256File(path);
    await copyFile(path, join(blobs, sha256));
    return { sha256, size };
  };
  const files: MediaFile[] = [];
  for (const file of await listFolder(await makeWinpePackage(join(dir, 'package'), options))) {
    files.push({ target: file.path, packageId: 'WINPE001', ...(await store(file.absolute)) });
  }
  for (const [target, text] of [
    ['SMS/data/TaskSequence.json', TS_JSON],
    ['SMS/data/TaskSequence.vars', "CAPMEDIA_TS_NAME='Capture WinPE Test'\n"],
  ]) {
    await writeFile(join(dir, 'generated'), text);
    files.push({ target, packageId: '', ...(await store(join(dir, 'generated'))) });
  }
  const notices: string[] = [];
  const workDir = join(dir, 'work');
  await mkdir(workDir, { recursive: true });
  const input: PrepareContentInput = {
    files,
    blobPath: (sha) => join(blobs, sha),
    storeFile: store,
    workDir,
    exec,
    env: ENV,
    sourceDateEpoch: Number(ENV.SOURCE_DATE_EPOCH),
    notice: (m) => notices.push(m),
  };
  return { input, files, notices, blobs };
}

async function wimFile(wim: string, image: number, path: string): Promise<string> {
  return (await execa('wimlib-imagex', ['extract', wim, String(image), path, '--to-stdout'], { env: { WIMLIB_IMAGEX_IGNORE_CASE: '1' } }))
    .stdout;
}

const bootWimOf = (files: readonly MediaFile[]) => files.find((f) => f.target.toLowerCase() === 'sources/boot.wim')!;

test('prepareContent puts the task sequence into boot.wim at \\sms\\data, keeps it on the media root and leaves the stored blob alone', async (t) => {
  const { input, files, notices, blobs } = await fixture('inject');
  const original = bootWimOf(files);
  const prepared = await winpePlatform.prepareContent!(input);
  const wim = bootWimOf(prepared);
  t.not(wim.sha256, original.sha256);
  t.is(wim.target, 'sources/boot.wim');
  t.deepEqual((await sha256File(join(blobs, original.sha256))).sha256, original.sha256, 'the original blob is unchanged');
  t.is(JSON.parse(await wimFile(join(blobs, wim.sha256), 1, '/sms/data/TaskSequence.json')).name, 'Capture WinPE Test');
  t.regex(await wimFile(join(blobs, wim.sha256), 1, '/sms/data/TaskSequence.vars'), /CAPMEDIA_TS_NAME/);
  t.truthy(
    prepared.find((f) => f.target === 'SMS/data/TaskSequence.json'),
    'the task sequence stays on the media root',
  );
  t.is(prepared.length, files.length);
  const info = (await execa('wimlib-imagex', ['info', join(blobs, wim.sha256), '1'])).stdout;
  t.regex(info, new RegExp(`Name:\\s+${PE_IMAGE_NAME.replace(/[()]/g, '\\$&')}`));
  t.regex(info, /Last Modification Time:\s+Tue Nov 14 22:13:20 2023 UTC/, 'stamped with SOURCE_DATE_EPOCH, not the clock');
  t.regex(notices.join('\n'), /sources\/boot\.wim \(image 1\) at \\sms\\data/);
});

test('the same inputs give the same boot.wim bytes, whatever the clock says', async (t) => {
  const { input } = await fixture('repro');
  const first = bootWimOf(await winpePlatform.prepareContent!({ ...input, workDir: await mkdtemp(join(root, 'w1-')) }));
  await delay(1100);
  const second = bootWimOf(await winpePlatform.prepareContent!({ ...input, workDir: await mkdtemp(join(root, 'w2-')) }));
  t.is(second.sha256, first.sha256);
});

test('the image flagged bootable is the one updated (Windows Setup-style boot.wim with two images)', async (t) => {
  const { input } = await fixture('two-images', { twoImages: true });
  const wim = join(input.workDir, '..', 'blobs', bootWimOf(await winpePlatform.prepareContent!(input)).sha256);
  t.regex(await wimFile(wim, 2, '/sms/data/TaskSequence.json'), /Capture WinPE Test/);
  await t.throwsAsync(wimFile(wim, 1, '/sms/data/TaskSequence.json'), undefined, 'image 1 is left alone');
});

test('paths match whatever their case, and the package keeps its spelling', async (t) => {
  const rename = {
    'sources/boot.wim': 'Sources/BOOT.WIM',
    'boot/etfsboot.com': 'Boot/ETFSBOOT.COM',
    'boot/bcd': 'Boot/BCD',
    'boot/boot.sdi': 'Boot/boot.sdi',
    'efi/microsoft/boot/efisys.bin': 'EFI/Microsoft/Boot/EFISYS.BIN',
    bootmgr: 'BOOTMGR',
  };
  const { input } = await fixture('case', { rename });
  const prepared = await winpePlatform.prepareContent!(input);
  t.is(bootWimOf(prepared).target, 'Sources/BOOT.WIM');
  t.deepEqual(winpePlatform.isoBoot({ files: prepared }).entries, [
    { platform: 'bios', image: 'Boot/ETFSBOOT.COM', loadSectors: 8 },
    { platform: 'uefi', image: 'EFI/Microsoft/Boot/EFISYS.BIN' },
  ]);
});

test('a boot.wim wimlib cannot read is refused, naming it', async (t) => {
  const { input } = await fixture('broken', { extra: { 'sources/boot.wim': Buffer.from('this is not a WIM file\n') } });
  const error = await t.throwsAsync(winpePlatform.prepareContent!(input), { instanceOf: CapmediaError });
  t.is(error?.code, 'BOOT_IMAGE_INVALID');
  t.regex(error!.message, /sources\/boot\.wim of the boot image WINPE001 is not a WIM file wimlib can read/);
  t.truthy(error?.hint);
});

test('a package without etfsboot.com is refused, naming the file', async (t) => {
  const { input } = await fixture('no-etfsboot', { omit: ['boot/etfsboot.com'] });
  const error = await t.throwsAsync(winpePlatform.prepareContent!(input), { instanceOf: CapmediaError });
  t.is(error?.code, 'BOOT_IMAGE_INVALID');
  t.regex(error!.message, /lacks files it needs to boot: boot\/etfsboot\.com\./);
  const isoError = t.throws(() => winpePlatform.isoBoot({ files: input.files }), { instanceOf: CapmediaError });
  t.is(isoError?.code, 'BOOT_IMAGE_INVALID');
  t.regex(isoError!.message, /lacks boot\/etfsboot\.com/);
});

test('efisys_noprompt.bin is preferred for UEFI, said so, and boot/bootfix.bin is left off so BIOS does not prompt either', async (t) => {
  const { input, notices } = await fixture('noprompt', { noprompt: true, bootfix: true });
  const prepared = await winpePlatform.prepareContent!(input);
  t.falsy(prepared.find((f) => f.target === 'boot/bootfix.bin'));
  t.regex(notices.join('\n'), /boot\/bootfix\.bin was left off the media/);
  const isoNotices: string[] = [];
  const boot = winpePlatform.isoBoot({ files: prepared, notice: (m) => isoNotices.push(m) });
  t.deepEqual(boot.entries[1], { platform: 'uefi', image: 'efi/microsoft/boot/efisys_noprompt.bin' });
  t.regex(isoNotices.join('\n'), /without "Press any key to boot from CD or DVD"/);
});

test('without efisys_noprompt.bin, bootfix.bin stays and efisys.bin is the UEFI image', async (t) => {
  const { input } = await fixture('prompt', { bootfix: true });
  const prepared = await winpePlatform.prepareContent!(input);
  t.truthy(prepared.find((f) => f.target === 'boot/bootfix.bin'));
  t.deepEqual(winpePlatform.isoBoot({ files: prepared }).entries[1], { platform: 'uefi', image: 'efi/microsoft/boot/efisys.bin' });
});

test('FAT media: SYSLINUX chainloads bootmgr (package spelling); files are replaced, never written through a hard link', async (t) => {
  const tree = join(root, 'fat-tree');
  await mkdir(join(tree, 'syslinux'), { recursive: true });
  await writeFile(join(tree, 'BOOTMGR'), 'bootmgr');
  const shared = join(root, 'shared-blob');
  await writeFile(shared, 'a blob other media share\n');
  await link(shared, join(tree, 'syslinux/syslinux.cfg'));
  await winpePlatform.fatBoot!.addToTree!({ treeDir: tree, epoch: 1_700_000_000 });
  t.is(await readFile(shared, 'utf8'), 'a blob other media share\n');
  const cfg = await readFile(join(tree, 'syslinux/syslinux.cfg'), 'utf8');
  t.regex(cfg, /^\s*COM32 chain\.c32$/m);
  t.regex(cfg, /^\s*APPEND ntldr=\/BOOTMGR$/m);
  for (const module of ['chain.c32', 'libcom32.c32', 'libutil.c32']) {
    t.deepEqual(await readFile(join(tree, 'syslinux', module)), await readFile(join('/usr/lib/syslinux/modules/bios', module)));
  }
  t.is(winpePlatform.fatBoot!.uefiLoader, 'efi/boot/bootx64.efi');
  t.is(winpePlatform.fatBoot!.syslinuxDirectory, dirname('syslinux/syslinux.cfg'));
});

test('requiredFiles are boot.wim and the ADK media boot files', (t) => {
  t.deepEqual([...winpePlatform.requiredFiles].sort(), [
    'boot/bcd',
    'boot/boot.sdi',
    'boot/etfsboot.com',
    'bootmgr',
    'bootmgr.efi',
    'efi/boot/bootx64.efi',
    'efi/microsoft/boot/bcd',
    'efi/microsoft/boot/efisys.bin',
    'sources/boot.wim',
  ]);
});
