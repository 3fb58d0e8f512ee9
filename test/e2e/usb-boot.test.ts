import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { createProject, BOOT_ID, type TestProject } from '../_helpers/project.js';
import { markerLines } from '../_helpers/qemu.js';
import { bootUnderQemu } from '../../src/tools/qemu.js';
import { usbBootImage } from '../media/_boot-image.js';
import { fsckPartition, mtool } from '../media/_usb.js';

// QEMU under TCG: one VM at a time, -m 512 (the harness default), hard timeouts.
const TIMEOUT_MS = 150_000;
const TS_NAME = 'Capture USB Test';
const LABEL = 'Configuration Manager';

let project: TestProject;
let image: string;
let buildOutput: string;

test.before(async () => {
  project = await createProject({ withBootImage: false });
  await project.publish(await usbBootImage(), BOOT_ID);
  await project.writeConfig({
    taskSequence: { name: TS_NAME, image: { name: 'Reference' }, destination: 'disk:CAPTURE', after: 'poweroff' },
    media: { type: 'usb', device: 'out/capture.img', label: LABEL, staging: './staging' },
  });
  const result = await runCli(['build'], { cwd: project.dir });
  if (result.exitCode !== 0) throw new Error(result.all);
  buildOutput = result.stdout;
  image = join(project.dir, 'out/capture.img');
});
test.after.always(async () => project?.cleanup());

test.serial('capmedia build writes a USB image with its checksum and manifest and reports the FAT label mapping', async (t) => {
  t.regex(
    buildOutput,
    /note: default: FAT volume label "Configuration Manager" → "CONFIGURATI" \(cut to the first 11 characters; upper-cased\)/,
  );
  t.regex(buildOutput, /built .*out\/capture\.img .*label "CONFIGURATI"/);
  const manifest = JSON.parse(await readFile(`${image}.manifest.json`, 'utf8'));
  t.is(manifest.type, 'usb');
  t.is(manifest.volumes[0].label, 'CONFIGURATI');
  t.regex(await readFile(`${image}.sha256`, 'utf8'), /^[0-9a-f]{64} {2}capture\.img\n$/);
});

test.serial(
  'the image: fsck.fat clean, the tree in mdir, FAT label = mapped first 11 characters, MediaLabel.txt = the whole label',
  async (t) => {
    const fsck = await fsckPartition(image, project.dir);
    t.is(fsck.exitCode, 0, fsck.output);
    t.notRegex(fsck.output, /differences|mismatch/i, fsck.output);
    const tree = (await mtool('mdir', image, '-/', '-b', '::/')).stdout;
    for (const path of [
      'EFI/BOOT/BOOTX64.EFI',
      'boot/vmlinuz',
      'boot/initrd.img',
      'syslinux/syslinux.cfg',
      'SMS/data/TaskSequence.json',
      'MediaLabel.txt',
    ]) {
      t.true(tree.includes(`::/${path}`), `${path} missing from\n${tree}`);
    }
    t.regex((await mtool('mlabel', image, '-s', '::')).stdout, /Volume label is CONFIGURATI$/m);
    t.is((await mtool('mtype', image, '::/MediaLabel.txt')).stdout.trim(), `label=${LABEL}`);
  },
);

for (const firmware of ['uefi', 'bios'] as const) {
  test.serial(`the USB image boots by ${firmware.toUpperCase()} as usb-storage and reads the task sequence from the stick`, async (t) => {
    const result = await bootUnderQemu({
      image,
      firmware,
      as: 'usb',
      successMarker: /CAPMEDIA-TASKSEQUENCE name=.*/,
      failureMarker: /CAPMEDIA-MEDIA-NOT-FOUND|Kernel panic/,
      timeoutMs: TIMEOUT_MS,
    });
    t.is(result.outcome, 'success', markerLines(result.serial).join('\n') || result.serial.slice(-3000));
    t.regex(result.serial, new RegExp(`CAPMEDIA-BOOT-OK firmware=${firmware.toUpperCase()}`));
    t.true(result.serial.includes(`CAPMEDIA-TASKSEQUENCE name=${TS_NAME}`));
    t.log(`${firmware}/usb: ${(result.durationMs / 1000).toFixed(1)} s`);
  });
}

test.serial('two builds with the same SOURCE_DATE_EPOCH (fresh caches, other paths) give byte-identical images', async (t) => {
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  for (const name of ['a', 'b']) {
    await project.writeConfig({
      media: { type: 'usb', device: `out/${name}.img`, staging: `./staging-${name}` },
      cache: { dir: `./cache-${name}` },
    });
    const result = await runCli(['build'], { cwd: project.dir, env });
    t.is(result.exitCode, 0, result.all);
  }
  const [a, b] = await Promise.all([readFile(join(project.dir, 'out/a.img')), readFile(join(project.dir, 'out/b.img'))]);
  t.is(a.length, b.length);
  t.true(a.equals(b));
  t.false(a.equals(await readFile(image)), 'another SOURCE_DATE_EPOCH gives another image');
});
