import test from 'ava';
import { readFile, writeFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { ensureBootImage } from '../_helpers/bootimage.js';
import { stepStates } from '../_helpers/steps.js';
import { withTempFolder } from '../_helpers/temp.js';

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };

let project: TestProject;
test.before(async () => {
  project = await createProject();
});
test.after.always(async () => project?.cleanup());

test.serial('a build with no input change does no step work and says up to date', async (t) => {
  await project.writeConfig();
  const first = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(first.exitCode, 0, first.all);
  t.deepEqual(stepStates(first.stdout), {
    'resolve content': 'done',
    'verify distribution': 'done',
    stage: 'done',
    'format/pack': 'done',
    split: 'done',
    label: 'done',
  });
  const second = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(second.exitCode, 0, second.all);
  const states = stepStates(second.stdout);
  t.is(states['verify distribution'], 'skipped');
  t.is(states.stage, 'skipped');
  t.is(states['format/pack'], 'skipped');
  t.is(states.split, 'skipped');
  t.is(states.label, 'skipped');
  t.regex(second.stdout, /SKIPPED: cached [0-9a-f]{12}/);
  t.regex(second.stdout, /up to date: nothing changed/);
  const plan = await runCli(['plan'], { cwd: project.dir, env: EPOCH });
  t.regex(plan.stdout, /up to date: build would do nothing/);
  t.notRegex(plan.stdout, /would change/);
});

test.serial('changing only the label reruns pack, split and label; plan says why', async (t) => {
  await project.writeConfig({ media: { type: 'iso', file: 'out/capture.iso', label: 'Relabelled', staging: './staging' } });
  const plan = await runCli(['plan'], { cwd: project.dir, env: EPOCH });
  t.regex(plan.stdout, /✔ cached {2}stage/);
  t.regex(plan.stdout, /● to run {2}format\/pack[\s\S]*label changed: "Configuration Manager" → "Relabelled"/);
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 0, result.all);
  const states = stepStates(result.stdout);
  t.is(states['verify distribution'], 'skipped');
  t.is(states.stage, 'skipped');
  t.is(states['format/pack'], 'done');
  t.is(states.split, 'done');
  t.is(states.label, 'done');
});

test.serial('one changed boot file reruns stage onward and fetches only that file', async (t) => {
  await withTempFolder('capmedia-boot-', async (copy) => {
    await cp(await ensureBootImage(), copy, { recursive: true });
    await writeFile(join(copy, 'isolinux/isolinux.cfg'), `${await readFile(join(copy, 'isolinux/isolinux.cfg'), 'utf8')}# changed\n`);
    await project.publish(copy, 'CM100005');
  });
  await project.writeConfig({
    bootImage: { package: 'CM100005' },
    media: { type: 'iso', file: 'out/capture.iso', label: 'Relabelled', staging: './staging' },
  });
  const result = await runCli(['build'], { cwd: project.dir, env: EPOCH });
  t.is(result.exitCode, 0, result.all);
  const states = stepStates(result.stdout);
  t.is(states['verify distribution'], 'done');
  t.is(states.stage, 'done');
  t.is(states['format/pack'], 'done');
  t.regex(result.stdout, /fetched 1 file\(s\), 2\d\d B; the rest was in the cache/);
});

test.serial('two builds with the same SOURCE_DATE_EPOCH in different staging and cache folders are byte-identical', async (t) => {
  const other = await createProject();
  try {
    const config = { media: { type: 'iso', file: 'out/r.iso', label: 'Repro', staging: './staging' } };
    await project.writeConfig({ ...config, cache: { dir: './cache-r' } });
    await other.writeConfig(config);
    const [a, b] = await Promise.all([
      runCli(['build'], { cwd: project.dir, env: EPOCH }),
      runCli(['build'], { cwd: other.dir, env: EPOCH }),
    ]);
    t.is(a.exitCode, 0, a.all);
    t.is(b.exitCode, 0, b.all);
    t.is(await sha(join(project.dir, 'out/r.iso')), await sha(join(other.dir, 'out/r.iso')));
    const c = await runCli(['build', '--force'], { cwd: other.dir, env: { SOURCE_DATE_EPOCH: '1700000001' } });
    t.is(c.exitCode, 0, c.all);
    t.not(await sha(join(project.dir, 'out/r.iso')), await sha(join(other.dir, 'out/r.iso')), 'the epoch is an input');
  } finally {
    await other.cleanup();
  }
});

test.serial('a corrupted cache blob is detected on use, discarded and fetched again; never written onto media', async (t) => {
  await project.writeConfig({
    media: { type: 'iso', file: 'out/c.iso', label: 'Corrupt', staging: './staging' },
    cache: { dir: './cache-c' },
  });
  t.is((await runCli(['build'], { cwd: project.dir, env: EPOCH })).exitCode, 0);
  const good = await sha(join(project.dir, 'out/c.iso'));
  const manifest = JSON.parse(await readFile(join(project.content, 'packages/CM100004.json'), 'utf8'));
  const kernel = manifest.files.find((f: { path: string }) => f.path === 'boot/vmlinuz');
  const blob = join(project.dir, 'cache-c/cas', kernel.sha256.slice(0, 2), kernel.sha256);
  const bytes = await readFile(blob);
  bytes[4096] ^= 0xff;
  await writeFile(blob, bytes);
  const rebuilt = await runCli(['build', '--force'], { cwd: project.dir, env: EPOCH });
  t.is(rebuilt.exitCode, 0, rebuilt.all);
  t.is(await sha(join(project.dir, 'out/c.iso')), good);
  t.is(await sha(blob), kernel.sha256, 'the cache holds a good copy again');
});

test.serial('concurrent builds of two configs sharing one cache both succeed and match their serial builds', async (t) => {
  const shared = join(project.dir, 'cache-shared');
  const second = await createProject();
  try {
    await project.writeConfig({
      media: { type: 'iso', file: 'out/p.iso', label: 'Parallel A', staging: './staging' },
      cache: { dir: shared },
    });
    await second.writeConfig({
      media: { type: 'iso', file: 'out/p.iso', label: 'Parallel B', staging: './staging' },
      cache: { dir: shared },
    });
    const runs = await Promise.all([
      runCli(['build'], { cwd: project.dir, env: EPOCH }),
      runCli(['build'], { cwd: second.dir, env: EPOCH }),
    ]);
    for (const run of runs) t.is(run.exitCode, 0, run.all);
    const parallel = [await sha(join(project.dir, 'out/p.iso')), await sha(join(second.dir, 'out/p.iso'))];
    const serial = [];
    for (const dir of [project.dir, second.dir]) {
      const again = await runCli(['build', '--force'], { cwd: dir, env: EPOCH });
      t.is(again.exitCode, 0, again.all);
      serial.push(await sha(join(dir, 'out/p.iso')));
    }
    t.deepEqual(parallel, serial);
    t.not(parallel[0], parallel[1]);
  } finally {
    await second.cleanup();
  }
});
