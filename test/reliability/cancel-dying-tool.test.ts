import test from 'ava';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { createProject, type TestProject } from '../_helpers/project.js';
import { tempFolder } from '../_helpers/temp.js';
import { requiredProgramPath } from '../_helpers/programs.js';
import { leftovers } from './_harness.js';
import { startCli, timeToExit } from './_spawn.js';

/**
 * Ctrl-C while xorriso writes: a tool can still create or write its output
 * while it dies, after capmedia stopped waiting for it. This xorriso does so
 * 300 ms after SIGTERM (the real one, with libburn's handler, wrote on for
 * 1.6 s); the cancelled build must still leave no partial file behind.
 */
const DYING_XORRISO = `#!/bin/bash
out=
prev=
for arg in "$@"; do
  if [ "$prev" = -output ]; then out=$arg; fi
  prev=$arg
done
if [ -z "$out" ]; then exec "$REAL_XORRISO" "$@"; fi
trap 'sleep 0.3; echo "half an image" > "$out"; exit 143' TERM
: > "$WRITING_MARKER"
sleep 30 &
wait
`;

let project: TestProject;
test.before(async () => {
  project = await createProject();
});
test.after.always(() => project?.cleanup());

test('a tool that creates its output while it stops after Ctrl-C leaves no partial file', async (t) => {
  const tools = await tempFolder(t, 'capmedia-dying-');
  await writeFile(join(tools, 'xorriso'), DYING_XORRISO);
  await chmod(join(tools, 'xorriso'), 0o755);
  const marker = join(tools, 'writing');
  await mkdir(join(project.dir, 'out'), { recursive: true });
  await writeFile(join(project.dir, 'out/capture.iso'), 'old output');
  await project.writeConfig();
  const build = startCli(['build'], project.dir, {
    PATH: `${tools}${delimiter}${process.env.PATH ?? ''}`,
    REAL_XORRISO: await requiredProgramPath('xorriso'),
    WRITING_MARKER: marker,
  });
  await until(() => exists(marker), build.output);
  const { exitCode } = await timeToExit(build, 'SIGTERM');
  t.is(exitCode, 130, build.output());
  // The tool outlives a build that does not wait for it: look again once it has surely died.
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.deepEqual(await leftovers(project.dir, { resumable: true }), []);
  t.is(await readFile(join(project.dir, 'out/capture.iso'), 'utf8'), 'old output');
});

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function until(condition: () => Promise<boolean>, output: () => string): Promise<void> {
  for (let waited = 0; !(await condition()); waited += 50) {
    if (waited > 120_000) throw new Error(`xorriso never started writing:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
