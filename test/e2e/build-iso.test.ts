import test from 'ava';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { REPO_ROOT } from '../_helpers/bootimage.js';
import { inspectMedia } from '../../src/commands/verify.js';

let project: TestProject;
test.before(async () => {
  project = await createProject();
});
test.after.always(async () => project?.cleanup());

const STEPS = ['resolve content', 'verify distribution', 'stage', 'format/pack', 'split', 'label'];

test.serial('build writes a hybrid ISO with BIOS + UEFI boot records, the label and MediaLabel.txt', async (t) => {
  await project.writeConfig();
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 0, result.all);
  const iso = join(project.dir, 'out/capture.iso');
  const report = await inspectMedia(iso);
  t.true(report.bootBios, 'BIOS El Torito entry');
  t.true(report.bootUefi, 'UEFI El Torito entry');
  t.not(report.partitionTable, 'none');
  t.is(report.volumeId, 'Configuration Manager');
  t.is(report.mediaLabel, 'Configuration Manager');
  t.is(report.taskSequence, 'Capture Test Reference');
  t.is(report.checksum, 'ok');
  const { stdout } = await execa('xorriso', ['-no_rc', '-indev', iso, '-report_el_torito', 'plain', '-report_system_area', 'plain']);
  t.regex(stdout, /El Torito boot img\s*:\s*1\s+BIOS/);
  t.regex(stdout, /El Torito boot img\s*:\s*2\s+UEFI/);
  t.regex(stdout, /MBR partition table/);
  const files = (await execa('xorriso', ['-no_rc', '-indev', iso, '-find', '/', '-type', 'f'])).stdout;
  t.notRegex(files, /autorun\.inf/i, 'no autorun.inf by default');
  t.regex(files, /SMS\/data\/TaskSequence\.json/);
  const verify = await runCli(['verify', iso], { cwd: project.dir });
  t.is(verify.exitCode, 0, verify.all);
  t.regex(verify.stdout, /files: +\d+ files match the manifest/);
});

test.serial('capmedia verify reports media that do not match their manifest, exit 1', async (t) => {
  const iso = join(project.dir, 'out/capture.iso');
  const manifestPath = `${iso}.manifest.json`;
  const original = await readFile(manifestPath, 'utf8');
  const manifest = JSON.parse(original);
  manifest.volumes[0].files.push({ path: 'SMS/PKG/GHOST/missing.bin', size: 1, sha256: '0'.repeat(64) });
  await writeFile(manifestPath, JSON.stringify(manifest));
  try {
    const verify = await runCli(['verify', iso], { cwd: project.dir });
    t.is(verify.exitCode, 1, verify.all);
    t.regex(verify.stderr, /missing SMS\/PKG\/GHOST\/missing\.bin/);
  } finally {
    await writeFile(manifestPath, original);
  }
});

test.serial('listr2 shows the six steps as plain lines when not on a TTY', async (t) => {
  await project.writeConfig({ media: { type: 'iso', file: 'out/steps.iso', label: 'Steps', staging: './staging' } });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 0, result.all);
  let at = -1;
  for (const step of STEPS) {
    const index = result.stdout.indexOf(step, at + 1);
    t.true(index > at, `step "${step}" appears in order`);
    at = index;
  }
  t.notRegex(result.stdout, /\u001b\[\d*[ABKJ]/, 'no cursor movement in non-TTY output');
});

test.serial('autorun: true writes autorun.inf; an odd label is mapped and the mapping is reported', async (t) => {
  await project.writeConfig({
    media: { type: 'iso', file: 'out/autorun.iso', label: 'Site: "North/01"', autorun: true, staging: './staging' },
  });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 0, result.all);
  t.regex(result.stdout, /ISO volume label "Site: \\"North\/01\\"" → "Site_ _North_01_"/);
  const iso = join(project.dir, 'out/autorun.iso');
  const report = await inspectMedia(iso);
  t.is(report.volumeId, 'Site_ _North_01_');
  t.is(report.mediaLabel, 'Site: "North/01"');
  const files = (await execa('xorriso', ['-no_rc', '-indev', iso, '-find', '/', '-type', 'f'])).stdout;
  t.regex(files, /'\/autorun\.inf'/);
});

test.serial('a corrupted blob fails the build after staging starts and the previous ISO stays byte-identical', async (t) => {
  await project.writeConfig();
  const iso = join(project.dir, 'out/capture.iso');
  const before = await readFile(iso);
  const manifest = JSON.parse(await readFile(join(project.content, 'packages/CM100004.json'), 'utf8'));
  const victim = manifest.files.find((f: { path: string }) => f.path === 'boot/vmlinuz');
  const blob = join(project.content, 'files', victim.sha256.slice(0, 2), victim.sha256);
  const bytes = await readFile(blob);
  bytes[1000] ^= 0xff;
  await writeFile(blob, bytes);
  // a fresh cache, so the damaged copy on the distribution point is what gets fetched
  await project.writeConfig({ cache: { dir: './cache-2' } });
  try {
    const result = await runCli(['build'], { cwd: project.dir });
    t.is(result.exitCode, 1, result.all);
    t.regex(result.stderr, /corrupt/);
    t.true((await readFile(iso)).equals(before), 'the previous ISO is byte-identical');
    const leftovers = (await readdir(join(project.dir, 'out'))).filter((n) => n.includes('capmedia-partial'));
    t.deepEqual(leftovers, []);
  } finally {
    bytes[1000] ^= 0xff;
    await writeFile(blob, bytes);
  }
});

test.serial('building twice gives byte-identical ISOs', async (t) => {
  await project.writeConfig({ media: { type: 'iso', file: 'out/a.iso', staging: './staging' } });
  t.is((await runCli(['build'], { cwd: project.dir })).exitCode, 0);
  await project.writeConfig({ media: { type: 'iso', file: 'out/b.iso', staging: './staging' }, cache: { dir: './cache-3' } });
  t.is((await runCli(['build'], { cwd: project.dir })).exitCode, 0);
  const [a, b] = await Promise.all([readFile(join(project.dir, 'out/a.iso')), readFile(join(project.dir, 'out/b.iso'))]);
  t.is((await stat(join(project.dir, 'out/a.iso'))).size, b.length);
  t.true(a.equals(b));
});

/**
 * Files are grafted into the ISO from the content store, so neither where
 * staging is nor where the cache is may change a byte: a tmpfs apart from the
 * repository holds both in the second build. A blob at two paths is one source
 * file, which xorriso writes once: both paths point at the same data extent.
 */
const otherFileSystem = onOtherDevice('/dev/shm', REPO_ROOT) ? '/dev/shm' : undefined;
const needsOtherFs = otherFileSystem || process.env.CI === 'true' ? test.serial : test.serial.skip;
needsOtherFs(
  `staging and cache on another file system give the same bytes; a blob at two paths is one extent${otherFileSystem ? '' : ' (skipped: no tmpfs at /dev/shm apart from the repository)'}`,
  async (t) => {
    t.truthy(otherFileSystem, 'CI needs a tmpfs at /dev/shm on another file system than the repository');
    const folder = join(project.dir, 'pkg/twice');
    await mkdir(join(folder, 'b'), { recursive: true });
    const bytes = Buffer.alloc(300_000, 7);
    await writeFile(join(folder, 'a.bin'), bytes);
    await writeFile(join(folder, 'b/same.bin'), bytes);
    await project.publish(folder, 'CM100099');
    const elsewhere = await mkdtemp(join(otherFileSystem!, 'capmedia-test-staging-'));
    try {
      await project.writeConfig({ content: ['CM100099'], media: { type: 'iso', file: 'out/local.iso', staging: './staging' } });
      const local = await runCli(['build'], { cwd: project.dir });
      t.is(local.exitCode, 0, local.all);
      await project.writeConfig({
        content: ['CM100099'],
        media: { type: 'iso', file: 'out/tmpfs.iso', staging: join(elsewhere, 'staging') },
        cache: { dir: join(elsewhere, 'cache') },
      });
      const tmpfs = await runCli(['build'], { cwd: project.dir });
      t.is(tmpfs.exitCode, 0, tmpfs.all);
      const [a, b] = await Promise.all([readFile(join(project.dir, 'out/local.iso')), readFile(join(project.dir, 'out/tmpfs.iso'))]);
      t.true(a.equals(b), 'the ISO staged and cached on tmpfs differs from the one staged beside the cache');
      const extents = await dataExtents(join(project.dir, 'out/local.iso'));
      const [first, second] = ['/SMS/PKG/CM100099/a.bin', '/SMS/PKG/CM100099/b/same.bin'].map((path) => extents.get(path));
      t.truthy(first, 'a.bin is on the ISO');
      t.is(second, first, 'both paths of one blob point at one data extent');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  },
);

/** ISO path → "start LBA, blocks" of its data, as xorriso reports them. */
async function dataExtents(iso: string): Promise<Map<string, string>> {
  const { stdout } = await execa('xorriso', ['-no_rc', '-indev', iso, '-find', '/', '-type', 'f', '-exec', 'report_lba', '--'], {
    stderr: 'ignore',
  });
  const extents = new Map<string, string>();
  for (const match of stdout.matchAll(/^File data lba:\s*\d+\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*\d+\s*,\s*'(.*)'$/gm)) {
    extents.set(match[3], `${match[1]}, ${match[2]}`);
  }
  return extents;
}

function onOtherDevice(a: string, b: string): boolean {
  try {
    return statSync(a).dev !== statSync(b).dev;
  } catch {
    return false;
  }
}
