import test from 'ava';
import { join } from 'node:path';
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { tempFolder } from '../_helpers/temp.js';
import { bootUnderQemu } from '../../src/tools/qemu.js';

// QEMU under TCG: one VM at a time (two gain nothing on 2 cores), hard timeouts.
const TIMEOUT_MS = 150_000;
const TS_NAME = 'Capture Boot Test ÅÄÖ';

let project: TestProject;
let iso: string;
test.before(async () => {
  project = await createProject();
  await project.writeConfig({
    taskSequence: { name: TS_NAME, image: { name: 'Reference' }, destination: 'disk:CAPTURE', after: 'poweroff' },
  });
  const result = await runCli(['build'], { cwd: project.dir });
  if (result.exitCode !== 0) throw new Error(result.all);
  iso = join(project.dir, 'out/capture.iso');
});
test.after.always(async () => project?.cleanup());

for (const firmware of ['bios', 'uefi'] as const) {
  for (const as of ['cd', 'usb'] as const) {
    test.serial(`the ISO boots by ${firmware.toUpperCase()} as a ${as} and reads the task sequence from the media`, async (t) => {
      const result = await bootUnderQemu({
        image: iso,
        firmware,
        as,
        successMarker: /CAPMEDIA-TASKSEQUENCE name=.*/,
        failureMarker: /CAPMEDIA-MEDIA-NOT-FOUND|Kernel panic/,
        timeoutMs: TIMEOUT_MS,
      });
      t.is(result.outcome, 'success', result.serial.slice(-3000));
      t.regex(result.serial, new RegExp(`CAPMEDIA-BOOT-OK firmware=${firmware.toUpperCase()}`));
      t.true(result.serial.includes(`CAPMEDIA-TASKSEQUENCE name=${TS_NAME}`), result.serial.slice(-2000));
      t.log(`${firmware}/${as}: ${(result.durationMs / 1000).toFixed(1)} s`);
    });
  }
}

test.serial('negative control: an ISO without boot records fails the same harness', async (t) => {
  const dir = await tempFolder(t, 'capmedia-noboot-');
  await mkdir(join(dir, 'tree/SMS/data'), { recursive: true });
  await writeFile(join(dir, 'tree/SMS/data/TaskSequence.vars'), "CAPMEDIA_TS_NAME='should never print'\n");
  const plain = join(dir, 'plain.iso');
  await execa('xorriso', ['-no_rc', '-as', 'mkisofs', '-R', '-J', '-volid', 'NOBOOT', '-o', plain, join(dir, 'tree')]);
  const result = await bootUnderQemu({
    image: plain,
    firmware: 'bios',
    as: 'cd',
    successMarker: /CAPMEDIA-TASKSEQUENCE name=/,
    timeoutMs: 60_000,
  });
  t.not(result.outcome, 'success');
  t.notRegex(result.serial, /CAPMEDIA-BOOT-OK/);
});

test.serial('capmedia boot reports the markers and exits 0; a failing boot exits 1', async (t) => {
  const ok = await runCli(['boot', iso, '--firmware', 'bios', '--as', 'cd', '--timeout', '150'], { cwd: project.dir, timeoutMs: 200_000 });
  t.is(ok.exitCode, 0, ok.all);
  t.regex(ok.stdout, /BIOS cd: success/);
  t.regex(ok.stdout, /CAPMEDIA-BOOT-OK firmware=BIOS/);
  const bad = await runCli(['boot', iso, '--firmware', 'bios', '--as', 'cd', '--timeout', '150', '--marker', 'NEVER-PRINTED'], {
    cwd: project.dir,
    timeoutMs: 200_000,
  });
  t.is(bad.exitCode, 1, bad.all);
});
