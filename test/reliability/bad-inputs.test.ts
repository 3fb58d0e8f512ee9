import test from 'ava';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { leftovers, limiter, oldOutputIntact, runBadInput, SECRET, workingConfig, type Fixture } from './_harness.js';
import { CASES } from './cases.js';
import { writeFile } from 'node:fs/promises';

/**
 * The bad-input campaign as a table. Each case: the right exit code, a
 * message naming the cause, the previous output byte-for-byte intact, no
 * partial file anywhere, no secret in any output. Afterwards the shared cache
 * still serves a good build unchanged.
 */
let project: TestProject;
let fixture: Fixture;
let golden: Buffer;
const limit = limiter(4);

test.before(async () => {
  project = await createProject();
  fixture = { content: project.content, cacheDir: project.cacheDir };
  await writeFile(join(project.dir, 'capmedia.config.json'), JSON.stringify(workingConfig(fixture), null, 2));
  const built = await runCli(['build'], { cwd: project.dir });
  if (built.exitCode !== 0) throw new Error(`the fixture build failed:\n${built.all}`);
  golden = await readFile(join(project.dir, 'out/capture.iso'));
});
test.after.always(async () => project?.cleanup());

test('the table holds at least 80 cases, each named once', (t) => {
  t.true(CASES.length >= 80, `${CASES.length} cases`);
  t.is(new Set(CASES.map((c) => c.name)).size, CASES.length);
});

for (const bad of CASES) {
  test(bad.name, async (t) => {
    const { dir, result } = await limit(() => runBadInput(fixture, bad));
    try {
      t.is(result.exitCode, bad.exit, result.all);
      t.regex(result.all, bad.message);
      t.notRegex(result.all, new RegExp(SECRET), 'a secret was printed');
      t.notRegex(result.stderr, /^capmedia: (E[A-Z]+:|Cannot read properties|undefined|\[object)/m, 'a raw error reached the user');
      t.true(await oldOutputIntact(dir), 'the previous out/capture.iso changed');
      t.deepEqual(await leftovers(dir), [], 'partial files were left');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test.after('the shared cache still serves the good build: up to date, same bytes, no partial blobs', async (t) => {
  const again = await runCli(['build'], { cwd: project.dir });
  t.is(again.exitCode, 0, again.all);
  t.regex(again.stdout, /up to date/);
  t.true((await readFile(join(project.dir, 'out/capture.iso'))).equals(golden));
  t.deepEqual(await leftovers(project.cacheDir), []);
});
