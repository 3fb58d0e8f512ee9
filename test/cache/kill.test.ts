import test from 'ava';
import { copyFile, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { cliEnvironment, runCli, REPO } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
const CLI = join(REPO, 'src/cli.ts');
const KILLS = 12;

let project: TestProject;
test.before(async () => {
  project = await createProject();
});
test.after.always(async () => project?.cleanup());

/** Starts a build and kills it with SIGKILL after `ms`; resolves when it is gone. */
async function buildKilledAfter(cwd: string, ms: number): Promise<void> {
  const child = execa('node', ['--import', import.meta.resolve('tsx'), CLI, 'build'], {
    cwd,
    env: { ...cliEnvironment(), ...EPOCH },
    extendEnv: false,
    reject: false,
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await child;
  clearTimeout(timer);
}

test('kill -9 at randomized points: the old output is never altered, and re-running resumes to the same bytes as a clean build', async (t) => {
  const output = join(project.dir, 'out/capture.iso');
  await project.writeConfig({
    media: { type: 'iso', file: 'out/capture.iso', label: 'Old', staging: './staging' },
    cache: { dir: './cache-old' },
  });
  const old = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(old.exitCode, 0, old.all);
  const oldSha = await sha(output);
  await copyFile(output, join(project.dir, 'old.iso'));

  await project.writeConfig({
    media: { type: 'iso', file: 'out/reference.iso', label: 'New', staging: './staging' },
    cache: { dir: './cache-ref' },
  });
  const started = Date.now();
  t.is((await runCli(['build'], { cwd: project.dir, env: EPOCH })).exitCode, 0);
  const duration = Date.now() - started;
  const reference = await sha(join(project.dir, 'out/reference.iso'));

  const points: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    // spread over the whole run (start-up, every step, publish), each with jitter
    const at = Math.round(duration * ((i + Math.random()) / KILLS));
    points.push(at);
    await project.writeConfig({
      media: { type: 'iso', file: 'out/capture.iso', label: 'New', staging: './staging' },
      cache: { dir: `./cache-kill-${i}` },
    });
    await buildKilledAfter(project.dir, at);
    const afterKill = await sha(output);
    t.true(afterKill === oldSha || afterKill === reference, `kill at ${at} ms left the output neither old nor complete`);
    const resumed = await runCli(['build'], { cwd: project.dir, env: EPOCH });
    t.is(resumed.exitCode, 0, resumed.all);
    t.is(await sha(output), reference, `resume after a kill at ${at} ms`);
    const partials = (await readdir(join(project.dir, 'out'))).filter((n) => n.endsWith('.capmedia-partial'));
    t.deepEqual(partials, []);
    await copyFile(join(project.dir, 'old.iso'), output);
  }
  t.log(`clean build ${duration} ms; kills at ${points.join(', ')} ms`);
});
