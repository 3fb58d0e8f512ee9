import test, { type ExecutionContext } from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { CapmediaError } from '../../src/errors/index.js';
import { baseConfig } from '../_helpers/config.js';
import { tempFolder } from '../_helpers/temp.js';

async function project(t: ExecutionContext, text: string): Promise<string> {
  const dir = await tempFolder(t, 'capmedia-json-');
  await writeFile(join(dir, 'capmedia.config.json'), text);
  return dir;
}

const config = () => ({ ...baseConfig(), media: { type: 'iso', file: 'o.iso', label: 'From JSON' } });

test('a capmedia.config.json is read as it is written', async (t) => {
  const dir = await project(t, JSON.stringify(config(), null, 2));
  const loaded = await loadConfig({ cwd: dir });
  t.is(loaded.filepath, join(dir, 'capmedia.config.json'));
  t.is(loaded.config.media[0].label, 'From JSON');
});

test('a capmedia.config.json saved with a byte order mark (Notepad) is read', async (t) => {
  const dir = await project(t, `\uFEFF${JSON.stringify(config())}`);
  t.is((await loadConfig({ cwd: dir })).config.media[0].label, 'From JSON');
});

// Babel's code frame colours the broken line wherever colour looks supported (CI is set, say): make it so here.
process.env.FORCE_COLOR = '1';

test('broken JSON names the file and shows the line where it breaks, without colour escapes', async (t) => {
  const dir = await project(t, '{\n  "media": { "type": "iso", }\n}\n');
  const error = await t.throwsAsync(loadConfig({ cwd: dir }), { instanceOf: CapmediaError });
  t.is(error!.code, 'CONFIG_LOAD_FAILED');
  t.regex(error!.message, /capmedia\.config\.json could not be loaded/);
  t.regex(error!.message, /"media": \{ "type": "iso", \}/, 'the offending line, from the code frame');
  t.false(error!.message.includes('\u001b'), 'no terminal escapes in the message (a CI log would show them)');
});
