import test from 'ava';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFiles, fileSystemKind } from '../../src/fs/file-checks.js';

test('a local disk is checked synchronously; a folder that is not there is treated as remote (the safe path)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-checks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.is(fileSystemKind(dir), 'local');
  t.is(fileSystemKind(join(dir, 'absent')), 'remote');
});

for (const kind of ['local', 'remote'] as const) {
  test(`${kind}: present, wrong size, missing, a file where a folder should be`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'capmedia-checks-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'ab'));
    await writeFile(join(dir, 'ab', 'good'), 'four');
    await writeFile(join(dir, 'ab', 'short'), 'xy');
    await writeFile(join(dir, 'plain'), '');
    const files = [
      { path: join(dir, 'ab', 'good'), size: 4 },
      { path: join(dir, 'ab', 'short'), size: 4 },
      { path: join(dir, 'ab', 'gone'), size: 1 },
      { path: join(dir, 'cd', 'gone'), size: 1 },
      { path: join(dir, 'plain', 'under-a-file'), size: 0 },
    ];
    t.deepEqual(await checkFiles(dir, files, kind), [
      { kind: 'ok' },
      { kind: 'size', size: 2 },
      { kind: 'missing' },
      { kind: 'missing' },
      { kind: 'missing' },
    ]);
  });
}
