import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapmediaError } from '../../src/errors/index.js';
import { linuxPlatform } from '../../src/plugins/boot/linux.js';
import { createWinpePlatform } from '../../src/plugins/boot/winpe/index.js';
import type { IsoBoot } from '../../src/plugins/boot/types.js';
import { isoBootArguments, prepareBootRecords } from '../../src/plugins/media/iso/boot-records.js';
import { writeGraftList } from '../../src/plugins/media/iso/graft-list.js';
import type { Exec } from '../../src/tools/exec.js';

/** The media files a platform is described from, each "stored" at /store/<path>. */
const LINUX_FILES = [
  'EFI/BOOT/BOOTX64.EFI',
  'EFI/BOOT/grubx64.efi',
  'EFI/debian/grub.cfg',
  'boot/initrd.img',
  'boot/vmlinuz',
  'isolinux/isohdpfx.bin',
  'isolinux/isolinux.bin',
  'isolinux/ldlinux.c32',
  'SMS/data/TaskSequence.json',
];
const WINPE_FILES = ['boot/etfsboot.com', 'efi/microsoft/boot/efisys.bin', 'sources/boot.wim', 'bootmgr'];
const files = (paths: string[]) => paths.map((target) => ({ target }));
const sourceOf = (target: string) => `/store/${target}`;

test('linux: ISOLINUX by BIOS, the appended ESP by UEFI, isohybrid MBR at offset 16: the exact xorriso arguments', (t) => {
  const boot = linuxPlatform.isoBoot({ files: files(LINUX_FILES) });
  t.deepEqual(
    boot.esp?.files,
    ['EFI/BOOT/BOOTX64.EFI', 'EFI/BOOT/grubx64.efi', 'EFI/debian/grub.cfg'],
    'everything under EFI/ goes in the ESP',
  );
  t.deepEqual(isoBootArguments(boot, sourceOf, '/work/efiboot.img'), [
    '-eltorito-boot',
    'isolinux/isolinux.bin',
    '-no-emul-boot',
    '-boot-load-size',
    '4',
    '-boot-info-table',
    '-eltorito-catalog',
    'isolinux/boot.cat',
    '-isohybrid-mbr',
    '/store/isolinux/isohdpfx.bin',
    '-partition_offset',
    '16',
    '-append_partition',
    '2',
    '0xef',
    '/work/efiboot.img',
    '-eltorito-alt-boot',
    '-e',
    '--interval:appended_partition_2:all::',
    '-no-emul-boot',
  ]);
});

for (const arch of ['x64', 'x86'] as const) {
  test(`winpe ${arch}: etfsboot.com (8 sectors) then efisys.bin, hidden catalog, no system area: oscdimg's -bootdata:2`, (t) => {
    const boot = createWinpePlatform(arch).isoBoot({ files: files(WINPE_FILES) });
    t.deepEqual(isoBootArguments(boot, sourceOf), [
      '-eltorito-boot',
      'boot/etfsboot.com',
      '-no-emul-boot',
      '-boot-load-size',
      '8',
      '-eltorito-catalog',
      'boot.catalog',
      '--boot-catalog-hide',
      '-eltorito-alt-boot',
      '-e',
      'efi/microsoft/boot/efisys.bin',
      '-no-emul-boot',
    ]);
  });
}

test('winpe arm64: one UEFI entry (no BIOS on arm64)', (t) => {
  const boot = createWinpePlatform('arm64').isoBoot({ files: files(WINPE_FILES.filter((p) => p !== 'boot/etfsboot.com')) });
  t.deepEqual(isoBootArguments(boot, sourceOf), [
    '-e',
    'efi/microsoft/boot/efisys.bin',
    '-no-emul-boot',
    '-eltorito-catalog',
    'boot.catalog',
    '--boot-catalog-hide',
  ]);
});

test('an ESP in the ISO tree is grafted at its path, booted from there and named by a GPT when asked', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-boot-records-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'loader'), 'MZ loader');
  await writeFile(join(dir, 'mbr'), Buffer.alloc(432));
  const boot: IsoBoot = {
    catalog: { path: 'boot/boot.cat' },
    entries: [{ platform: 'uefi', image: { esp: true } }],
    esp: { label: 'ESP', files: ['EFI/BOOT/BOOTX64.EFI'], placement: { inTree: { path: 'boot/efi.img' } } },
    systemArea: { hybridMbr: 'mbr.bin', gptEsp: true },
  };
  const calls: string[][] = [];
  const exec = (async (command: string, args: readonly string[]) => {
    calls.push([command, ...args]);
    return { stdout: '', stderr: '' };
  }) as unknown as Exec;
  const sources = new Map([
    ['EFI/BOOT/BOOTX64.EFI', join(dir, 'loader')],
    ['mbr.bin', join(dir, 'mbr')],
  ]);
  const records = await prepareBootRecords(boot, { sources, platform: 'test', workDir: dir, exec, env: {} });
  const esp = join(dir, 'efiboot.img');
  t.deepEqual(records.grafts, [['boot/efi.img', esp]]);
  t.deepEqual(records.args, [
    '-e',
    'boot/efi.img',
    '-no-emul-boot',
    '-eltorito-catalog',
    'boot/boot.cat',
    '-isohybrid-mbr',
    join(dir, 'mbr'),
    '-isohybrid-gpt-basdat',
  ]);
  t.deepEqual(
    calls.map((c) => c[0]),
    ['mkfs.fat', 'mmd', 'mcopy'],
    'the ESP is made with mkfs.fat + mtools',
  );
  t.deepEqual(calls[2].slice(-2), [join(dir, 'loader'), '::/EFI/BOOT/BOOTX64.EFI'], 'ESP files are read from their sources');
});

test('a description naming a file the media lack is refused before xorriso runs', async (t) => {
  const boot = linuxPlatform.isoBoot({ files: files(LINUX_FILES.filter((p) => p !== 'isolinux/isolinux.bin')) });
  const sources = new Map(LINUX_FILES.filter((p) => p !== 'isolinux/isolinux.bin').map((p) => [p, sourceOf(p)]));
  const exec = (async () => ({ stdout: '', stderr: '' })) as unknown as Exec;
  const error = await t.throwsAsync(prepareBootRecords(boot, { sources, platform: 'linux', workDir: '/nonexistent', exec, env: {} }), {
    instanceOf: CapmediaError,
  });
  t.is(error?.code, 'BOOT_IMAGE_INVALID');
  t.regex(error!.message, /names isolinux\/isolinux\.bin, which is not a file of the media/);
});

test('graft list: one sorted target=source line per file, "=" and backslashes escaped; line breaks refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-grafts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const list = join(dir, 'list');
  const sources = new Map([
    ['z.txt', '/cache/cas/ab/abc'],
    ['a=b\\c.txt', '/cache=x/cas/de/def'],
  ]);
  await writeGraftList(list, sources, [['boot/efi.img', '/work/efiboot.img']]);
  t.is(await readFile(list, 'utf8'), 'a\\=b\\\\c.txt=/cache\\=x/cas/de/def\nboot/efi.img=/work/efiboot.img\nz.txt=/cache/cas/ab/abc\n');
  const error = await t.throwsAsync(writeGraftList(list, new Map([['bad\nname', '/x']]), []), { instanceOf: CapmediaError });
  t.is(error?.code, 'NAME_UNSUPPORTED');
});
