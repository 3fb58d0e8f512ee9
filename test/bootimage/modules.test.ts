import test from 'ava';
import { parseShowDepends, uncompressedName } from '../../src/bootimage/modules.js';

test('parseShowDepends keeps the first occurrence of each module, in load order, and skips builtins', (t) => {
  const dir = '/w/kernel/lib/modules/6.1.0-56-amd64';
  const output = [
    `insmod ${dir}/kernel/drivers/scsi/scsi_common.ko `,
    `insmod ${dir}/kernel/drivers/scsi/scsi_mod.ko `,
    `insmod ${dir}/kernel/drivers/ata/libata.ko `,
    `insmod ${dir}/kernel/drivers/ata/ahci.ko `,
    `insmod ${dir}/kernel/drivers/scsi/scsi_common.ko `,
    'builtin crc32c',
    `insmod ${dir}/kernel/fs/isofs/isofs.ko.xz `,
  ].join('\n');
  t.deepEqual(parseShowDepends(output, dir), [
    'kernel/drivers/scsi/scsi_common.ko',
    'kernel/drivers/scsi/scsi_mod.ko',
    'kernel/drivers/ata/libata.ko',
    'kernel/drivers/ata/ahci.ko',
    'kernel/fs/isofs/isofs.ko.xz',
  ]);
});

test('compressed module names map to the plain .ko the initramfs holds', (t) => {
  t.is(uncompressedName('kernel/fs/isofs/isofs.ko.xz'), 'kernel/fs/isofs/isofs.ko');
  t.is(uncompressedName('kernel/fs/isofs/isofs.ko.zst'), 'kernel/fs/isofs/isofs.ko');
  t.is(uncompressedName('kernel/fs/isofs/isofs.ko.gz'), 'kernel/fs/isofs/isofs.ko');
  t.is(uncompressedName('kernel/fs/isofs/isofs.ko'), 'kernel/fs/isofs/isofs.ko');
});
