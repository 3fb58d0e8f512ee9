import test from 'ava';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { baseConfig } from '../_helpers/config.js';

/**
 * A TypeScript config goes through jiti; jiti keeps the files it transpiled
 * in capmedia's cache folder, never in the machine's temp folder.
 */
test('jiti caches transpiled config files in the capmedia cache folder, not in the temp folder', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'capmedia-jiti-'));
  const saved = { TMPDIR: process.env.TMPDIR, CAPMEDIA_CACHE_DIR: process.env.CAPMEDIA_CACHE_DIR };
  t.teardown(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(root, { recursive: true, force: true });
  });
  const temp = await mkdtemp(join(root, 'tmp-'));
  process.env.TMPDIR = temp;
  process.env.CAPMEDIA_CACHE_DIR = join(root, 'cache');
  const project = await mkdtemp(join(root, 'project-'));
  // import.meta makes the config one that always goes through jiti (no compiled-config shortcut).
  await writeFile(
    join(project, 'capmedia.config.ts'),
    `const here: string = import.meta.url;\nexport default { ...${JSON.stringify({ ...baseConfig(), media: { type: 'iso', file: 'o.iso' } })}, bootImage: { package: here ? 'CM100004' : 'x' } };\n`,
  );
  const { config } = await loadConfig({ cwd: project });
  t.is(config.media[0].type, 'iso');
  t.true((await readdir(join(root, 'cache', 'jiti'))).length > 0, 'jiti wrote its cache beside the compiled configs');
  t.deepEqual(await readdir(temp), [], 'nothing in the temp folder');
});
