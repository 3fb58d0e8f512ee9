import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { releasePageCache } from '../../src/fs/page-cache.js';
import { exec, type Exec } from '../../src/tools/exec.js';
import { needing } from '../_helpers/capability.js';
import { runCli } from '../_helpers/cli.js';
import { createProject, publishLargePackage } from '../_helpers/project.js';
import { tempFolder } from '../_helpers/temp.js';
import { requiredProgramPath } from '../_helpers/programs.js';

const TMPFS_MAGIC = 0x01021994;

/** Bytes of `path` in the page cache (util-linux fincore). */
async function cachedBytes(path: string): Promise<number> {
  const { stdout } = await execa('fincore', ['--bytes', '--noheadings', '--output', 'RES', path]);
  return Number(stdout.trim());
}

/** A file written and flushed: clean pages, all cached (DONTNEED drops clean pages only). */
async function cachedFile(path: string, bytes: number): Promise<Buffer> {
  const data = randomBytes(bytes);
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return data;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Page cache can be dropped here: fincore is there and the temp folder is not tmpfs (whose pages are the file). */
async function probe(): Promise<string | undefined> {
  const version = await execa('fincore', ['--version'], { reject: false });
  if (version.exitCode !== 0) return 'fincore (util-linux) is not installed';
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-probe-'));
  try {
    if ((await statfs(dir)).type === TMPFS_MAGIC) return `${tmpdir()} is tmpfs: its files cannot leave the page cache`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return undefined;
}
const withPageCache = needing(await probe());

function recordingExec(calls: Array<[string, readonly string[]]>, fails = false): Exec {
  return async (file, args) => {
    calls.push([file, args]);
    if (fails) throw new Error('no dd here');
    return { stdout: '', stderr: '' };
  };
}

test('only a non-empty regular file has its page cache released', async (t) => {
  const dir = await tempFolder(t, 'capmedia-page-cache-');
  await mkdir(join(dir, 'folder'));
  await writeFile(join(dir, 'empty'), '');
  await writeFile(join(dir, 'image.iso'), 'an image');
  const calls: Array<[string, readonly string[]]> = [];
  for (const path of ['folder', 'missing', 'empty', 'image.iso']) await releasePageCache(recordingExec(calls), join(dir, path));
  t.deepEqual(calls, [['dd', [`if=${join(dir, 'image.iso')}`, 'iflag=nocache', 'count=0', 'status=none']]]);
});

test('a failing release changes nothing but speed: no error', async (t) => {
  const dir = await tempFolder(t, 'capmedia-page-cache-');
  await writeFile(join(dir, 'image.iso'), 'an image');
  const calls: Array<[string, readonly string[]]> = [];
  await t.notThrowsAsync(releasePageCache(recordingExec(calls, true), join(dir, 'image.iso')));
  t.is(calls.length, 1);
});

withPageCache('the real release empties the page cache of the file and leaves its bytes as they were', async (t) => {
  const dir = await tempFolder(t, 'capmedia-page-cache-');
  const path = join(dir, 'previous.iso');
  const data = await cachedFile(path, 8 * 2 ** 20);
  t.true((await cachedBytes(path)) > 0, 'the file was cached to begin with');
  await releasePageCache(exec, path);
  t.is(await cachedBytes(path), 0);
  t.is(sha(await readFile(path)), sha(data));
});

/**
 * For every image xorriso writes (a temp name beside its final one), records the file it replaces as xorriso starts:
 * how much of it is cached, and its sha256 ("none" when there is none yet). Then runs the real xorriso.
 */
const RECORDING_XORRISO = `#!/bin/bash
prev=
for arg in "$@"; do
  if [ "$prev" = -output ]; then
    final="$(dirname "$arg")/$(basename "$arg" | sed -E 's/^\\.//; s/\\.[0-9a-f]+\\.capmedia-partial$//')"
    if [ -f "$final" ]; then
      echo "$(basename "$final") $(fincore --bytes --noheadings --output RES "$final" | tr -d " ") $(sha256sum < "$final" | cut -c1-64)" >> "$RECORD"
    else echo "$(basename "$final") none" >> "$RECORD"; fi
  fi
  prev=$arg
done
exec "$REAL_XORRISO" "$@"
`;

async function recordingTools(t: ExecutionContext): Promise<{ env: Record<string, string>; record: string }> {
  const tools = await tempFolder(t, 'capmedia-xorriso-wrapper-');
  await writeFile(join(tools, 'xorriso'), RECORDING_XORRISO);
  await chmod(join(tools, 'xorriso'), 0o755);
  const record = join(tools, 'record');
  const env = {
    SOURCE_DATE_EPOCH: '1764000000',
    PATH: `${tools}${delimiter}${process.env.PATH ?? ''}`,
    REAL_XORRISO: await requiredProgramPath('xorriso'),
    RECORD: record,
  };
  return { env, record };
}

/**
 * Builds, then rebuilds with another label. Returns, per image written, what xorriso found of the file it replaces
 * ("<name> <bytes cached> <sha256>"), and the sha256 of every image the first build made.
 */
async function rebuildRecords(t: ExecutionContext, media: Record<string, unknown>) {
  const project = await createProject();
  t.teardown(() => project.cleanup());
  if (media.size !== 'dvd') await publishLargePackage(project, 'DATA', 4);
  const { env, record } = await recordingTools(t);
  const config = { content: media.size === 'dvd' ? [] : ['DATA'] };
  await project.writeConfig({ ...config, media: { ...media, label: 'First' } });
  const first = await runCli(['build'], { cwd: project.dir, env });
  t.is(first.exitCode, 0, first.all);
  const out = join(project.dir, 'out');
  const images = (await readdir(out)).filter((name) => name.endsWith('.iso')).sort();
  const previous = new Map(await Promise.all(images.map(async (name) => [name, sha(await readFile(join(out, name)))] as const)));
  // As a rebuild finds them a while later: written back, and (on this test's machine) still in memory.
  await execa('sync');
  for (const name of images) t.true((await cachedBytes(join(out, name))) > 0, `${name} was cached before the rebuild`);
  await writeFile(record, '');
  await project.writeConfig({ ...config, media: { ...media, label: 'Relabelled' } });
  const second = await runCli(['build'], { cwd: project.dir, env });
  t.is(second.exitCode, 0, second.all);
  for (const name of images) {
    const rebuilt = await readFile(join(out, name));
    t.not(sha(rebuilt), previous.get(name), `${name} was rebuilt`);
    t.true(rebuilt.includes('Relabelled'), `${name} carries the new label`);
  }
  return { records: (await readFile(record, 'utf8')).trim().split('\n').sort(), previous };
}

withPageCache(
  'a rebuilt image is written after the memory of the one it replaces is released; that one stays whole until then',
  async (t) => {
    const media = { type: 'iso', file: 'out/capture.iso', size: 'dvd', staging: './staging' };
    const { records, previous } = await rebuildRecords(t, media);
    t.deepEqual(records, [`capture.iso 0 ${previous.get('capture.iso')}`]);
  },
);

withPageCache('each rebuilt volume of a set is written after the memory of the volume it replaces is released', async (t) => {
  // 64 MiB of content and the boot image on 64 MB volumes: two or more.
  const media = { type: 'iso', file: 'out/set.iso', size: '64MB', staging: './staging' };
  const { records, previous } = await rebuildRecords(t, media);
  t.true(previous.size >= 2, [...previous.keys()].join(' '));
  t.deepEqual(
    records,
    [...previous].map(([name, sha256]) => `${name} 0 ${sha256}`),
    'every volume was written with none of the one it replaces cached, and that one whole',
  );
});
