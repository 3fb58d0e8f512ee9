import test, { type ExecutionContext } from 'ava';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../_helpers/cli.js';
import { tempFolder } from '../_helpers/temp.js';
import { publishFolder } from '../../src/library/publish.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';
import { CapmediaError } from '../../src/errors/index.js';

async function folder(t: ExecutionContext, files: Record<string, string>): Promise<string> {
  const dir = await tempFolder(t, 'capmedia-pkg-');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

async function countBlobs(library: string): Promise<number> {
  let count = 0;
  for (const prefix of await readdir(join(library, 'files'))) count += (await readdir(join(library, 'files', prefix))).length;
  return count;
}

test('distribute publishes the single-instance layout; re-publishing identical files stores nothing twice', async (t) => {
  const source = await folder(t, {
    'a.txt': 'same',
    'sub/b.txt': 'same',
    'c.txt': 'other',
    'capmedia-package.json': '{"name":"Demo","version":"2"}',
  });
  const library = await tempFolder(t, 'capmedia-lib-');
  const first = await runCli(['distribute', source, '--package', 'PKG001', '--to', `file:${library}`], { cwd: source });
  t.is(first.exitCode, 0, first.all);
  t.regex(first.stdout, /published PKG001 \(3 files.*2 new, 1 already stored/);
  const manifest = JSON.parse(await readFile(join(library, 'packages/PKG001.json'), 'utf8'));
  t.is(manifest.name, 'Demo');
  t.is(manifest.version, '2');
  t.is(manifest.kind, 'content');
  t.deepEqual(
    manifest.files.map((f: { path: string }) => f.path),
    ['a.txt', 'c.txt', 'sub/b.txt'],
  );
  t.is(await countBlobs(library), 2);
  const again = await runCli(['distribute', source, '--package', 'PKG002', '--to', `file:${library}`], { cwd: source });
  t.regex(again.stdout, /0 new, 3 already stored/);
  t.is(await countBlobs(library), 2);
});

test('a symlink that escapes the folder is refused and nothing is published', async (t) => {
  const source = await folder(t, { 'ok.txt': 'fine' });
  await symlink('/etc/passwd', join(source, 'evil'));
  const library = await tempFolder(t, 'capmedia-lib-');
  const dp = openDistributionPoint({ name: 'lib', url: pathToFileURL(library).href });
  const error = await t.throwsAsync(publishFolder(source, { id: 'EVIL' }, dp), { instanceOf: CapmediaError });
  t.is(error!.code, 'UNSAFE_PATH');
  t.regex(error!.message, /points outside the folder/);
  t.deepEqual(await readdir(library), []);
});

test('a manifest path that climbs out is refused when read', async (t) => {
  const library = await tempFolder(t, 'capmedia-lib-');
  await mkdir(join(library, 'packages'));
  await writeFile(
    join(library, 'packages/BAD.json'),
    JSON.stringify({ id: 'BAD', kind: 'content', files: [{ path: '../../etc/x', size: 1, sha256: 'a'.repeat(64) }] }),
  );
  const dp = openDistributionPoint({ name: 'lib', url: pathToFileURL(library).href });
  const error = await t.throwsAsync(dp.readManifest('BAD'), { instanceOf: CapmediaError });
  t.is(error!.code, 'UNSAFE_PATH');
  const check = await dp.checkPackage('BAD');
  t.is(check.status, 'invalid');
});

test('verify classes on a file: distribution point: ok, missing, incomplete', async (t) => {
  const source = await folder(t, { 'a.txt': 'alpha', 'b.txt': 'beta' });
  const library = await tempFolder(t, 'capmedia-lib-');
  const dp = openDistributionPoint({ name: 'lib', url: pathToFileURL(library).href });
  const { manifest } = await publishFolder(source, { id: 'P1' }, dp);
  t.is((await dp.checkPackage('P1')).status, 'ok');
  t.is((await dp.checkPackage('P2')).status, 'missing');
  const blob = manifest.files[0].sha256;
  await writeFile(join(library, 'files', blob.slice(0, 2), blob), 'truncated');
  const check = await dp.checkPackage('P1');
  t.is(check.status, 'incomplete');
  t.regex(check.status === 'incomplete' ? check.problems.join() : '', /a\.txt: stored blob has 9 bytes, manifest says 5/);
});
