import test from 'ava';
import { createWinpePlatform, winpePlatform } from '../../src/plugins/boot/winpe/index.js';

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

test('arm64 ISOs get one UEFI El Torito entry; x86 gets BIOS + UEFI like x64', (t) => {
  const files = ['boot/etfsboot.com', 'efi/microsoft/boot/efisys.bin'].map((target) => ({ target }));
  t.deepEqual(createWinpePlatform('arm64').isoBoot({ files }), {
    catalog: { path: 'boot.catalog', hidden: true },
    entries: [{ platform: 'uefi', image: 'efi/microsoft/boot/efisys.bin' }],
  });
  t.deepEqual(createWinpePlatform('x86').isoBoot({ files }), createWinpePlatform('x64').isoBoot({ files }));
  t.deepEqual(createWinpePlatform('x86').isoBoot({ files }).entries[0], { platform: 'bios', image: 'boot/etfsboot.com', loadSectors: 8 });
});
