import test from 'ava';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { stepStates } from '../_helpers/steps.js';
import { extractFromIso } from '../../src/tools/xorriso.js';
import { exec } from '../../src/tools/exec.js';

/**
 * A label-only rebuild skips stage and grafts the blobs straight into the
 * ISO: a blob damaged or removed in the cache since must still be fetched
 * again before xorriso reads it, never written onto the media.
 */
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };

let project: TestProject;
test.before(async () => {
  project = await createProject();
});
test.after.always(async () => project?.cleanup());

async function kernelBlob(): Promise<{ path: string; sha256: string }> {
  const manifest = JSON.parse(await readFile(join(project.content, 'packages/CM100004.json'), 'utf8'));
  const kernel = manifest.files.find((f: { path: string }) => f.path === 'boot/vmlinuz');
  return { path: join(project.dir, 'cache/cas', kernel.sha256.slice(0, 2), kernel.sha256), sha256: kernel.sha256 };
}

// A removed blob is seen by planning (stage runs again); one changed in place only when it is used, by pack.
for (const [damage, stage, change] of [
  [
    'changed in place',
    'skipped',
    async (blob: string) => {
      const bytes = await readFile(blob);
      bytes[4096] ^= 0xff;
      await writeFile(blob, bytes);
    },
  ],
  ['removed', 'done', (blob: string) => rm(blob)],
] as const) {
  test.serial(`label-only rebuild: a blob ${damage} in the cache since stage is fetched again`, async (t) => {
    await project.writeConfig({ media: { type: 'iso', file: 'out/c.iso', label: 'Before', staging: './staging' } });
    t.is((await runCli(['build'], { cwd: project.dir, env: EPOCH })).exitCode, 0);
    const blob = await kernelBlob();
    await change(blob.path);
    await project.writeConfig({ media: { type: 'iso', file: 'out/c.iso', label: `After ${damage.split(' ')[0]}`, staging: './staging' } });
    const rebuilt = await runCli(['build'], { cwd: project.dir, env: EPOCH });
    t.is(rebuilt.exitCode, 0, rebuilt.all);
    t.is(stepStates(rebuilt.stdout).stage, stage);
    const extracted = join(project.dir, 'vmlinuz.extracted');
    await extractFromIso(exec, join(project.dir, 'out/c.iso'), 'boot/vmlinuz', extracted);
    t.is(sha(await readFile(extracted)), blob.sha256, 'the kernel on the media is the published one');
    t.is(sha(await readFile(blob.path)), blob.sha256, 'the cache holds a good copy again');
    await rm(extracted);
  });
}
