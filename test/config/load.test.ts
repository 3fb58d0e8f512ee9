import test, { type ExecutionContext } from 'ava';
import { mkdtemp, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { entryPath } from '../../src/config/compiled.js';
import { CapmediaError, exitCodeFor } from '../../src/errors/index.js';
import { baseConfig } from '../_helpers/config.js';
import { tempFolder } from '../_helpers/temp.js';

// Never the runner's own cache: one folder for this file's compiled configs, made before its tests run at once.
let cacheDir: string | undefined;
test.before(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'capmedia-compiled-cache-'));
  process.env.CAPMEDIA_CACHE_DIR = cacheDir;
});
test.after.always(async () => {
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

function invalid(t: any, input: unknown): CapmediaError {
  const error = t.throws(() => validateConfig(input, '/base'), { instanceOf: CapmediaError }) as CapmediaError;
  t.is(error.code, 'CONFIG_INVALID');
  t.is(exitCodeFor(error), 2);
  return error;
}

test('an unknown key names its path and the allowed keys', (t) => {
  const error = invalid(t, { ...baseConfig(), media: { ...baseConfig().media, colour: 'red' } });
  t.regex(error.message, /media\.colour: unknown key \(value "red"\)/);
  t.regex(error.message, /allowed keys here: .*label/);
});

test('a wrong type names the path, the value and the expected type', (t) => {
  const error = invalid(t, { ...baseConfig(), media: { ...baseConfig().media, autorun: 'yes' } });
  t.regex(error.message, /media\.autorun: "yes" is not allowed: expected boolean/);
});

test('a bad enum value lists what is allowed', (t) => {
  const error = invalid(t, { ...baseConfig(), media: { ...baseConfig().media, type: 'floppy' } });
  t.regex(error.message, /media\.type: "floppy" is not allowed: expected one of "iso", "usb"/);
  const arch = invalid(t, { ...baseConfig(), target: { arch: 'ia64' } });
  t.regex(arch.message, /target\.arch: "ia64" is not allowed: expected one of "x86", "x64", "arm64"/);
});

test('every problem is reported at once, with list indexes in the path', (t) => {
  const error = invalid(t, {
    ...baseConfig(),
    distributionPoints: [{ name: 'a', url: 'ftp://x' }],
    media: [{ type: 'iso' }, { type: 'iso', file: 'x.iso', size: 'floppy' }],
  });
  t.regex(error.message, /distributionPoints\[0\]\.url: "ftp:\/\/x" is not allowed/);
  t.regex(error.message, /media\[1\]\.size: "floppy" is not allowed: expected one of cd, cd700, dvd/);
});

test('semantic rules: missing output, unknown distribution point, label problems', (t) => {
  const noFile = invalid(t, { ...baseConfig(), media: { type: 'iso' } });
  t.regex(noFile.message, /media\.file: nothing is not allowed: an ISO needs media\.file/);
  const dp = invalid(t, { ...baseConfig(), bootImage: { package: 'CM1', distributionPoint: 'dp99' } });
  t.regex(
    dp.message,
    /bootImage\.distributionPoint: "dp99" is not allowed: expected the name of a configured distribution point \("local"\)/,
  );
  const long = invalid(t, { ...baseConfig(), media: { ...baseConfig().media, label: 'x'.repeat(33) } });
  t.regex(long.message, /media\.label: .* is 33 characters long: at most 32/);
  const newline = invalid(t, { ...baseConfig(), media: { ...baseConfig().media, label: 'a\nb' } });
  t.regex(newline.message, /control characters/);
});

test('defaults are applied and relative paths resolve against the config folder', (t) => {
  const config = validateConfig({ ...baseConfig(), media: { type: 'iso', file: 'out/x.iso' }, cache: undefined }, '/work/project');
  const media = config.media[0];
  t.is(media.output, '/work/project/out/x.iso');
  t.is(media.label, 'Configuration Manager');
  t.false(media.autorun);
  t.true(media.format);
  t.is(media.capacity, Number.POSITIVE_INFINITY);
  t.is(config.distributionPoints[0].url, 'file:///work/project/content');
  t.is(config.target.arch, 'x64');
});

test('a capmedia.config.ts is loaded through jiti, following imports of sibling .ts files', async (t) => {
  const dir = await tempFolder(t, 'capmedia-cfg-');
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'shared.ts'), `export const label: string = 'From TS';\n`);
  await writeFile(
    join(dir, 'capmedia.config.ts'),
    `import { label } from './shared';\nimport type { CapmediaConfig } from '${join(process.cwd(), 'src/index.ts')}';\n` +
      `const config: CapmediaConfig = ${JSON.stringify({ ...baseConfig(), media: { type: 'iso', file: 'o.iso' } })};\n` +
      `config.media = { type: 'iso', file: 'o.iso', label };\nexport default config;\n`,
  );
  const { config, filepath } = await loadConfig({ cwd: join(dir, 'sub') });
  t.is(filepath, join(dir, 'capmedia.config.ts'));
  t.is(config.media[0].label, 'From TS');
  t.is(config.media[0].output, join(dir, 'o.iso'));
});

test('no config anywhere is a usage error with a hint', async (t) => {
  const dir = await tempFolder(t, 'capmedia-none-');
  await writeFile(join(dir, 'package.json'), '{}');
  const error = await t.throwsAsync(loadConfig({ cwd: dir }), { instanceOf: CapmediaError });
  t.is(error!.code, 'CONFIG_NOT_FOUND');
  t.regex(error!.hint ?? '', /capmedia init/);
});

/** A config importing a sibling .ts file, in a folder of its own; the compiled-config cache in the test's own folder. */
async function siblingProject(t: ExecutionContext, label: string): Promise<{ dir: string; config: string; shared: string }> {
  const dir = await tempFolder(t, 'capmedia-compiled-');
  const config = join(dir, 'capmedia.config.ts');
  const shared = join(dir, 'shared.ts');
  await writeFile(shared, `export const label: string = ${JSON.stringify(label)};\n`);
  await writeFile(
    config,
    `import { defineConfig } from 'capmedia';\nimport { label } from './shared.js';\n` +
      `export default defineConfig({ ...${JSON.stringify(baseConfig())}, media: { type: 'iso', file: 'o.iso', label } });\n`,
  );
  return { dir, config, shared };
}

test('a compiled .ts config is kept and used while its files are unchanged', async (t) => {
  const { dir, config } = await siblingProject(t, 'First');
  t.is((await loadConfig({ cwd: dir })).config.media[0].label, 'First');
  const entry = JSON.parse(await readFile(entryPath(config), 'utf8'));
  t.deepEqual(Object.keys(entry.files).sort(), [config, join(dir, 'shared.ts')].sort());
  // Proof that the entry is what runs: its code, changed behind the files' backs, gives the label.
  entry.files[join(dir, 'shared.ts')].code = entry.files[join(dir, 'shared.ts')].code.replace('"First"', '"From the cache"');
  await writeFile(entryPath(config), JSON.stringify(entry));
  t.is((await loadConfig({ cwd: dir })).config.media[0].label, 'From the cache');
});

test('an edit of a file the config imports is seen at once, and the entry is written again', async (t) => {
  const { dir, config, shared } = await siblingProject(t, 'Before');
  t.is((await loadConfig({ cwd: dir })).config.media[0].label, 'Before');
  await writeFile(shared, `export const label: string = 'After';\n`);
  t.is((await loadConfig({ cwd: dir })).config.media[0].label, 'After');
  t.regex(await readFile(entryPath(config), 'utf8'), /After/);
  // The config itself, edited to import something else.
  await writeFile(join(dir, 'other.ts'), `export const label: string = 'Other';\n`);
  await writeFile(config, (await readFile(config, 'utf8')).replace('./shared.js', './other'));
  t.is((await loadConfig({ cwd: dir })).config.media[0].label, 'Other');
});

test('a corrupt compiled-config entry is ignored and written again', async (t) => {
  const { dir, config } = await siblingProject(t, 'Intact');
  await loadConfig({ cwd: dir });
  for (const damage of ['{"format":1,"files":', JSON.stringify({ format: 1, jiti: 'x', config, files: {} }), '']) {
    await writeFile(entryPath(config), damage);
    t.is((await loadConfig({ cwd: dir })).config.media[0].label, 'Intact');
    t.is(JSON.parse(await readFile(entryPath(config), 'utf8')).config, config);
  }
});

test('an error a cached .ts config throws is reported as on its first load', async (t) => {
  const { dir, config } = await siblingProject(t, 'Fine');
  await writeFile(
    config,
    `${await readFile(config, 'utf8')}\nif (process.env.CAPMEDIA_TEST_BREAK) throw new Error('broken on purpose');\n`,
  );
  const broken = async () => {
    process.env.CAPMEDIA_TEST_BREAK = '1';
    try {
      return (await t.throwsAsync(loadConfig({ cwd: dir }), { instanceOf: CapmediaError }))!;
    } finally {
      delete process.env.CAPMEDIA_TEST_BREAK;
    }
  };
  const throughJiti = await broken();
  await loadConfig({ cwd: dir });
  await readFile(entryPath(config));
  const fromCache = await broken();
  t.is(fromCache.code, throughJiti.code);
  t.is(fromCache.message, throughJiti.message);
  t.regex(fromCache.message, /broken on purpose/);
  t.regex(fromCache.message, /capmedia\.config\.ts/);
});
