import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../src/tools/exec.js';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';

/**
 * Credentials for the capture destination stay off the media unless the
 * config opts in (embed: true), and are never printed. The built ISO's bytes
 * are searched for the password itself.
 */

const PASSWORD = 'Sup3r-S3cret-Pa55-7f1c';
const ENV = { CAPMEDIA_TEST_CAPTURE_PASSWORD: PASSWORD };

let project: TestProject;
test.before(async () => {
  project = await createProject();
});
test.after.always(async () => project?.cleanup());

function taskSequence(credentials: Record<string, unknown>) {
  return { name: 'Capture with credentials', image: { name: 'Reference' }, destination: 'https://dp01.example.org/captures/', credentials };
}

async function build(name: string, credentials: Record<string, unknown>, env: Record<string, string> = ENV) {
  await project.writeConfig({
    taskSequence: taskSequence(credentials),
    media: { type: 'iso', file: `out/${name}.iso`, size: 'dvd', staging: './staging' },
  });
  const result = await runCli(['build'], { cwd: project.dir, env });
  return { ...result, iso: join(project.dir, 'out', `${name}.iso`) };
}

async function fileOnIso(iso: string, path: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-secret-'));
  try {
    await exec('xorriso', ['-no_rc', '-osirrox', 'on', '-indev', iso, '-extract', path, join(dir, 'file')]);
    return await readFile(join(dir, 'file'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test.serial('by default the password is not on the media: the agent asks for it at capture time', async (t) => {
  const result = await build('prompt', { username: 'svc-capture' });
  t.is(result.exitCode, 0, result.all);
  t.false((await readFile(result.iso)).includes(Buffer.from(PASSWORD)), 'the password is in the ISO');
  t.false(result.all.includes(PASSWORD));
  const vars = await fileOnIso(result.iso, '/SMS/data/TaskSequence.vars');
  t.regex(vars, /^CAPMEDIA_TS_CRED_MODE='prompt'$/m);
  t.regex(vars, /^CAPMEDIA_TS_CRED_USERNAME='svc-capture'$/m);
  t.notRegex(vars, /CAPMEDIA_TS_CRED_PASSWORD/);
});

test.serial('embed: true puts the password in TaskSequence.vars only, and the build never prints it', async (t) => {
  const result = await build('embedded', { username: 'svc-capture', passwordEnv: 'CAPMEDIA_TEST_CAPTURE_PASSWORD', embed: true });
  t.is(result.exitCode, 0, result.all);
  // The positive control: the same search finds it when the config opted in.
  t.true((await readFile(result.iso)).includes(Buffer.from(PASSWORD)));
  t.false(result.all.includes(PASSWORD));
  t.true((await fileOnIso(result.iso, '/SMS/data/TaskSequence.vars')).includes(`CAPMEDIA_TS_CRED_PASSWORD='${PASSWORD}'`));
  const json = await fileOnIso(result.iso, '/SMS/data/TaskSequence.json');
  t.false(json.includes(PASSWORD));
  t.is(JSON.parse(json).credentials.mode, 'embedded');
});

test.serial('embed: true without the password in the environment is a config error (exit 2) before any work', async (t) => {
  const result = await build('missing', { username: 'svc-capture', passwordEnv: 'CAPMEDIA_TEST_CAPTURE_PASSWORD', embed: true }, {});
  t.is(result.exitCode, 2, result.all);
  t.regex(result.stderr, /taskSequence\.credentials: embed: true, but the environment variable CAPMEDIA_TEST_CAPTURE_PASSWORD/);
});

test.serial('a password source without embed is refused: it would silently be ignored', async (t) => {
  const result = await build('ignored', { username: 'svc-capture', passwordEnv: 'CAPMEDIA_TEST_CAPTURE_PASSWORD' });
  t.is(result.exitCode, 2, result.all);
  t.regex(result.stderr, /passwordEnv\/passwordFile are only read with embed: true/);
  t.false(result.all.includes(PASSWORD));
});
