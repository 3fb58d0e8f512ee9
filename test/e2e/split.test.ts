import test from 'ava';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { randomBytes, createHash } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { tempFolder, withTempFolder } from '../_helpers/temp.js';
import { bootUnderQemu } from '../../src/tools/qemu.js';

const MiB = 2 ** 20;
const CAPACITY = 64_000_000;
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let project: TestProject;
const contentFiles = new Map<string, string>(); // media path → sha256

async function contentPackage(id: string, count: number): Promise<void> {
  await withTempFolder(`capmedia-${id}-`, async (dir) => {
    for (let i = 0; i < count; i++) {
      const data = randomBytes(12 * MiB);
      const name = `part-${String(i).padStart(2, '0')}.bin`;
      await writeFile(join(dir, name), data);
      contentFiles.set(`SMS/PKG/${id}/${name}`, sha(data));
    }
    await project.publish(dir, id);
  });
}

function config(content: string[], file = 'out/capture.iso', size: string | number = '64MB') {
  return { content, media: { type: 'iso', file, size, label: 'Capture Set', staging: './staging' } };
}

const iso = (k: number, stem = 'capture') => join(project.dir, 'out', `${stem}-${k}.iso`);

async function report(path: string): Promise<string> {
  return (await execa('xorriso', ['-no_rc', '-indev', path, '-report_el_torito', 'plain'], { all: true })).all ?? '';
}

async function extract(path: string, inner: string): Promise<Buffer | undefined> {
  return withTempFolder('capmedia-x-', async (dir) => {
    const target = join(dir, 'f');
    const result = await execa('xorriso', ['-no_rc', '-osirrox', 'on', '-indev', path, '-extract', `/${inner}`, target], { reject: false });
    return result.exitCode === 0 ? readFile(target) : undefined;
  });
}

test.before(async () => {
  project = await createProject();
  await contentPackage('CM200001', 10);
});
test.after.always(async () => project?.cleanup());

test.serial('content needing 3 volumes of 64MB: sequence-numbered files, each within capacity, only volume 1 boots', async (t) => {
  await project.writeConfig(config(['CM200001']));
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 0, result.all);
  const names = (await readdir(join(project.dir, 'out'))).filter((n) => n.endsWith('.iso')).sort();
  t.deepEqual(names, ['capture-1.iso', 'capture-2.iso', 'capture-3.iso'], 'media.file itself is not written');
  for (let k = 1; k <= 3; k++) t.true((await stat(iso(k))).size <= CAPACITY, `volume ${k} fits`);
  t.regex(await report(iso(1)), /El Torito boot img\s*:\s*1\s+BIOS/);
  t.regex(await report(iso(1)), /El Torito boot img\s*:\s*2\s+UEFI/);
  for (const k of [2, 3]) t.notRegex(await report(iso(k)), /El Torito boot img/);

  const manifests = await Promise.all([1, 2, 3].map(async (k) => (await extract(iso(k), 'SMS/data/MediaSet.json'))!.toString()));
  t.is(new Set(manifests).size, 1, 'every volume carries the same set manifest');
  t.is(manifests[0], await readFile(join(project.dir, 'out/capture.set.json'), 'utf8'), 'and the same manifest is beside the outputs');
  const set = JSON.parse(manifests[0]) as {
    volumeCount: number;
    volumes: Array<{ number: number; label: string; files: Array<{ path: string; sha256: string }> }>;
  };
  t.is(set.volumeCount, 3);
  t.deepEqual(
    set.volumes.map((v) => v.label),
    ['Capture Set', 'Capture Set_2', 'Capture Set_3'],
  );

  for (const [path, expected] of contentFiles) {
    const holders = set.volumes.filter((v) => v.files.some((f) => f.path === path));
    t.is(holders.length, 1, `${path} is on exactly one volume`);
    const bytes = await extract(iso(holders[0].number), path);
    t.is(bytes && sha(bytes), expected, `${path} has the right bytes on volume ${holders[0].number}`);
    for (const other of [1, 2, 3].filter((k) => k !== holders[0].number)) t.is(await extract(iso(other), path), undefined);
  }
});

test.serial('capmedia verify knows the volumes of a set', async (t) => {
  const first = await runCli(['verify', iso(1)], { cwd: project.dir });
  t.is(first.exitCode, 0, first.all);
  t.regex(first.stdout, /volume 1 of 3/);
  const second = await runCli(['verify', iso(2)], { cwd: project.dir });
  t.is(second.exitCode, 0, second.all);
  t.regex(second.stdout, /Capture Set_2 \(volume 2 of 3\)/);
  t.regex(second.stdout, /BIOS NO, UEFI NO/);
});

test.serial('volume 1 of the set boots by BIOS and UEFI to the marker', async (t) => {
  for (const firmware of ['bios', 'uefi'] as const) {
    const run = await bootUnderQemu({
      image: iso(1),
      firmware,
      as: 'cd',
      successMarker: /CAPMEDIA-TASKSEQUENCE name=/,
      failureMarker: /CAPMEDIA-MEDIA-NOT-FOUND|Kernel panic/,
      timeoutMs: 150_000,
    });
    t.is(run.outcome, 'success', run.serial.slice(-2000));
    t.regex(run.serial, new RegExp(`CAPMEDIA-BOOT-OK firmware=${firmware.toUpperCase()}`));
  }
});

test.serial('same inputs give the same plan and byte-identical volumes', async (t) => {
  const before = await Promise.all([1, 2, 3].map(async (k) => sha(await readFile(iso(k)))));
  await project.writeConfig({ ...config(['CM200001'], 'out/again.iso'), cache: { dir: './cache-again' } });
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 0, result.all);
  const after = await Promise.all([1, 2, 3].map(async (k) => sha(await readFile(iso(k, 'again')))));
  t.deepEqual(after, before);
});

test.serial('a boot image bigger than the capacity names both sizes and the smallest preset that fits', async (t) => {
  await project.writeConfig(config(['CM200001'], 'out/tiny.iso', '10MB'));
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /boot image and task sequence alone need [\d.]+ MiB .* but media\.size "10MB" holds 9\.54 MiB/);
  t.regex(result.stderr, /smallest preset that fits is "cd"/);
});

test.serial('3 → 2 volumes: a failed rebuild leaves the 3 old volumes intact; success removes the stale -3 only then', async (t) => {
  const old = await Promise.all([1, 2, 3].map((k) => readFile(iso(k))));
  await withTempFolder('capmedia-small-', async (dir) => {
    for (let i = 0; i < 5; i++) await writeFile(join(dir, `p${i}.bin`), randomBytes(12 * MiB));
    await project.publish(dir, 'CM200002');
  });
  // First a failing rebuild: one blob damaged on the only distribution point, a fresh cache.
  const manifest = JSON.parse(await readFile(join(project.content, 'packages/CM200002.json'), 'utf8'));
  const blob = join(project.content, 'files', manifest.files[0].sha256.slice(0, 2), manifest.files[0].sha256);
  const good = await readFile(blob);
  await writeFile(blob, Buffer.concat([good.subarray(0, 100), Buffer.from('x'), good.subarray(101)]));
  await project.writeConfig({ ...config(['CM200002']), cache: { dir: './cache-fail' } });
  const failed = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(failed.exitCode, 1, failed.all);
  for (let k = 1; k <= 3; k++) t.true((await readFile(iso(k))).equals(old[k - 1]), `volume ${k} untouched`);
  await writeFile(blob, good);
  const ok = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(ok.exitCode, 0, ok.all);
  const names = (await readdir(join(project.dir, 'out'))).filter((n) => n.startsWith('capture-') && n.endsWith('.iso')).sort();
  t.deepEqual(names, ['capture-1.iso', 'capture-2.iso']);
});

test.serial('a non-WIM file larger than one volume is a clear error naming the file, its size and the capacity', async (t) => {
  await withTempFolder('capmedia-big-', async (dir) => {
    await writeFile(join(dir, 'huge.bin'), randomBytes(70 * MiB));
    await project.publish(dir, 'CM200003');
  });
  await project.writeConfig(config(['CM200003'], 'out/big.iso'));
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /SMS\/PKG\/CM200003\/huge\.bin is 70\.0 MiB .*more than one volume holds/);
});

test.serial('with splitLargeFiles a .wim larger than a volume is split into .swm parts across volumes', async (t) => {
  await withTempFolder('capmedia-wimsrc-', async (source) => {
    for (let i = 0; i < 8; i++) await writeFile(join(source, `data-${i}.bin`), randomBytes(10 * MiB));
    await withTempFolder('capmedia-wim-', async (pkg) => {
      await execa('wimlib-imagex', ['capture', source, join(pkg, 'install.wim'), 'Reference', '--compress=none']);
      await project.publish(pkg, 'CM200004');
    });
  });
  await project.writeConfig({
    content: ['CM200004'],
    media: { type: 'iso', file: 'out/wim.iso', size: '64MB', label: 'WIM Set', staging: './staging', splitLargeFiles: true },
  });
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 0, result.all);
  t.regex(result.stdout, /install\.wim \([\d.]+ MiB.*\) split into \d+ \.swm parts/);
  const set = JSON.parse(await readFile(join(project.dir, 'out/wim.set.json'), 'utf8')) as {
    volumes: Array<{ number: number; files: Array<{ path: string }> }>;
  };
  const parts = set.volumes.flatMap((v) => v.files.filter((f) => f.path.endsWith('.swm')).map((f) => ({ volume: v.number, path: f.path })));
  t.true(parts.length >= 2);
  t.true(new Set(parts.map((p) => p.volume)).size >= 2, 'the parts span volumes');
  const partDir = await tempFolder(t, 'capmedia-parts-');
  for (const part of parts)
    await writeFile(
      join(partDir, part.path.split('/').at(-1)!),
      (await extract(join(project.dir, 'out', `wim-${part.volume}.iso`), part.path))!,
    );
  const info = await execa('wimlib-imagex', ['info', join(partDir, 'install.swm')]);
  t.regex(info.stdout, /Part Number:\s*1\/\d+/);
  await execa('wimlib-imagex', ['verify', join(partDir, 'install.swm'), `--ref=${join(partDir, 'install*.swm')}`]);
});
