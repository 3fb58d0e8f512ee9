import test from 'ava';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';

/** plan's exit codes and --json errors, against one real build. */
let project: TestProject;
const cli = (args: string[]) => runCli(args, { cwd: project.dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });

test.before(async () => {
  project = await createProject();
  await project.writeConfig();
  const built = await cli(['build']);
  if (built.exitCode !== 0) throw new Error(`the fixture build failed:\n${built.all}`);
});
test.after.always(async () => project?.cleanup());

test.serial('plan of an unknown media name is refused like build: exit 2, or 1 with --detailed-exitcode', async (t) => {
  const plain = await cli(['plan', 'nosuchmedia']);
  t.is(plain.exitCode, 2, plain.all);
  t.regex(plain.stderr, /No media named "nosuchmedia" in the config/);
  t.regex(plain.stderr, /hint: Media in this config: default/);
  const detailed = await cli(['plan', 'nosuchmedia', '--detailed-exitcode']);
  t.is(detailed.exitCode, 1, detailed.all);
});

test.serial('with --json an error is one JSON line on stdout and nothing on stderr, config errors and usage errors alike', async (t) => {
  for (const args of [
    ['plan', 'nosuchmedia', '--json'],
    ['plan', 'nosuchmedia', '--json', '--detailed-exitcode'],
    ['build', '--shard', '0/3', '--json'],
    ['build', '--bogus', '--json'],
  ]) {
    const run = await cli(args);
    t.not(run.exitCode, 0, args.join(' '));
    t.is(run.stderr, '', args.join(' '));
    t.false(run.stdout.trim().includes('\n'), `${args.join(' ')}: one line`);
    const { error } = JSON.parse(run.stdout);
    t.is(error.code, 'USAGE');
    t.is(typeof error.message, 'string');
  }
});

test.serial('a missing capmedia.lock that build would write is a change: plan --detailed-exitcode exits 2', async (t) => {
  const upToDate = await cli(['plan', '--detailed-exitcode']);
  t.is(upToDate.exitCode, 0, upToDate.all);
  await rename(join(project.dir, 'capmedia.lock'), join(project.dir, 'lock.bak'));
  try {
    const missing = await cli(['plan', '--detailed-exitcode']);
    t.is(missing.exitCode, 2, missing.all);
    t.regex(missing.stdout, /capmedia\.lock: would be written/);
    const json = JSON.parse((await cli(['plan', '--json'])).stdout);
    t.like(json, { changes: true, lock: { state: 'would be written' } });
    t.deepEqual(
      json.media.map((m: { action: string }) => m.action),
      ['none'],
      'the image itself is up to date',
    );
  } finally {
    await rm(join(project.dir, 'capmedia.lock'), { force: true });
    await rename(join(project.dir, 'lock.bak'), join(project.dir, 'capmedia.lock'));
  }
});
