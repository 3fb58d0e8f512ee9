import test from 'ava';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';

/** Four media from one config: a CI matrix, shards, and --keep-going when one fails at build time. */
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
const NAMES = ['site-a', 'site-b', 'site-c', 'site-d'];

let project: TestProject;
test.before(async () => {
  project = await createProject();
});
test.after.always(async () => project?.cleanup());

const cli = (args: string[]) => runCli(args, { cwd: project.dir, env: EPOCH });
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** site-c's capacity is smaller than the boot image: it fails at pack time, after the shared steps succeeded. */
function fourMedia(sizeOfC = '5MB') {
  return project.writeConfig({
    media: NAMES.map((name) => ({
      name,
      type: 'iso',
      file: `out/${name}.iso`,
      label: name,
      staging: './staging',
      ...(name === 'site-c' ? { size: sizeOfC } : {}),
    })),
  });
}

test.serial('--keep-going builds the three good media and exits 1 naming the failing one', async (t) => {
  await fourMedia();
  const plain = await cli(['build']);
  t.is(plain.exitCode, 1, plain.all);
  t.false(await exists(join(project.dir, 'out/site-d.iso')), 'without --keep-going the first failure stops the rest');

  const result = await cli(['build', '--keep-going']);
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /1 media failed \(the others were built\):\n\s+Media "site-c": The boot image and task sequence alone need/);
  for (const name of ['site-a', 'site-b', 'site-d']) t.true(await exists(join(project.dir, `out/${name}.iso`)), name);
  t.false(await exists(join(project.dir, 'out/site-c.iso')));
  t.regex(result.stdout, /built .*site-d\.iso/);
  t.notRegex(result.stderr, /Media "site-[abd]"/);
});

test.serial('matrix --json lists every media for a CI matrix', async (t) => {
  await fourMedia('unlimited');
  const result = await cli(['matrix', '--json']);
  t.is(result.exitCode, 0, result.all);
  const matrix = JSON.parse(result.stdout);
  t.deepEqual(
    matrix.include.map((m: { name: string; type: string; output: string }) => [m.name, m.type, m.output]),
    NAMES.map((name) => [name, 'iso', `out/${name}.iso`]),
  );
  t.is(matrix.include[0].artifacts, 'out/site-a.iso*\nout/site-a-*.iso*\nout/site-a.set.json');
});

test.serial('--shard 1/2 and 2/2 build disjoint sets of media whose union is all four', async (t) => {
  await fourMedia('unlimited');
  const shards: Array<Set<string>> = [];
  for (const shard of ['1/2', '2/2']) {
    const result = await cli(['build', '--shard', shard, '--json']);
    t.is(result.exitCode, 0, result.all);
    shards.push(new Set((JSON.parse(result.stdout).outputs as Array<{ media: string }>).map((o) => o.media)));
  }
  t.true(
    shards.every((s) => s.size === 2),
    'balanced',
  );
  t.deepEqual(
    [...shards[0]].filter((name) => shards[1].has(name)),
    [],
    'disjoint',
  );
  t.deepEqual([...new Set([...shards[0], ...shards[1]])].sort(), NAMES, 'together: all');
  t.true(await exists(join(project.dir, 'out/site-c.iso')), 'site-c, fixed, was built by its shard');
  const again = await cli(['build', '--shard', '1/2', '--json']);
  t.deepEqual(new Set((JSON.parse(again.stdout).outputs as Array<{ media: string }>).map((o) => o.media)), shards[0], 'deterministic');
  for (const bad of ['0/2', '3/2', 'x']) {
    const usage = await cli(['build', '--shard', bad]);
    t.is(usage.exitCode, 2, usage.all);
    t.regex(usage.stderr, /is not a share k\/n/);
  }
});
