import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWinpePlatform, winpePlatform } from '../../src/plugins/boot/winpe/index.js';
import { exec } from '../../src/tools/exec.js';

const COMMON = ['boot/boot.sdi', 'bootmgr.efi', 'efi/microsoft/boot/bcd', 'efi/microsoft/boot/efisys.bin', 'sources/boot.wim'];
const BIOS = ['boot/bcd', 'boot/etfsboot.com', 'bootmgr'];

test('each architecture requires its own UEFI loader; arm64 has no BIOS files', (t) => {
  t.deepEqual([...createWinpePlatform('x86').requiredFiles].sort(), [...COMMON, ...BIOS, 'efi/boot/bootia32.efi'].sort());
  t.deepEqual([...createWinpePlatform('x64').requiredFiles].sort(), [...COMMON, ...BIOS, 'efi/boot/bootx64.efi'].sort());
  t.deepEqual([...createWinpePlatform('arm64').requiredFiles].sort(), [...COMMON, 'efi/boot/bootaa64.efi'].sort());
  t.is(winpePlatform.forArch!('arm64').fatBoot?.uefiLoader, 'efi/boot/bootaa64.efi');
  t.is(winpePlatform.forArch!('arm64').fatBoot?.syslinuxDirectory, undefined, 'USB media boot arm64 by UEFI only');
  t.is(winpePlatform.forArch!('x86').fatBoot?.syslinuxDirectory, 'syslinux');
});

test('arm64 ISOs get one UEFI El Torito entry; x86 gets BIOS + UEFI like x64', async (t) => {
  const tree = await mkdtemp(join(tmpdir(), 'capmedia-winpe-arch-'));
  t.teardown(() => rm(tree, { recursive: true, force: true }));
  for (const path of ['boot/etfsboot.com', 'efi/microsoft/boot/efisys.bin']) {
    await mkdir(join(tree, path, '..'), { recursive: true });
    await writeFile(join(tree, path), 'x');
  }
  const input = { treeDir: tree, workDir: tree, exec, env: {} };
  t.deepEqual(await createWinpePlatform('arm64').isoBootArgs(input), [
    '-eltorito-catalog',
    'boot.catalog',
    '--boot-catalog-hide',
    '-e',
    'efi/microsoft/boot/efisys.bin',
    '-no-emul-boot',
  ]);
  t.deepEqual(await createWinpePlatform('x86').isoBootArgs(input), await createWinpePlatform('x64').isoBootArgs(input));
  t.true((await createWinpePlatform('x86').isoBootArgs(input)).includes('boot/etfsboot.com'));
});
