import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedFiles } from '../../src/plugins/media/manifest-files.js';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capmedia-manifest-files-'));
});
test.after.always(async () => rm(dir, { recursive: true, force: true }));

test('an image without a manifest beside it has none; the image itself is never read as one', async (t) => {
  // Bytes that fail JSON.parse exactly as an ISO does: a value followed by more.
  await writeFile(join(dir, 'capture.iso'), '0 CD001 not json');
  t.is(await expectedFiles(join(dir, 'capture.iso')), undefined);
});

test('a manifest that is not JSON, or not a build manifest, counts as none', async (t) => {
  await writeFile(join(dir, 'broken.iso'), 'x');
  await writeFile(join(dir, 'broken.iso.manifest.json'), '{ not json');
  t.is(await expectedFiles(join(dir, 'broken.iso')), undefined);
  await writeFile(join(dir, 'other.iso'), 'x');
  await writeFile(join(dir, 'other.iso.manifest.json'), '[1, 2]');
  t.is(await expectedFiles(join(dir, 'other.iso')), undefined);
});

test('volume k of a set is described by the set manifest', async (t) => {
  const files = [{ path: 'SMS/data/x.bin', size: 3 }];
  await writeFile(join(dir, 'set.iso.manifest.json'), JSON.stringify({ volumes: [{ file: 'set-2.iso', files }] }));
  t.deepEqual(await expectedFiles(join(dir, 'set-2.iso')), files);
});
