// npm run build, second half: the `capmedia` command (tsc has already written dist/index.js and the .d.ts files for the
// library API). Node 20 compiles every ES module from source on every run, with no code cache, and a required file too,
// so the CLI is one CommonJS bundle, dist/cli-bundle.cjs, that a small launcher, dist/cli.js, runs through V8's code
// cache (src/code-cache/). Bundled, zod's locales and unused yargs and listr2 parts are gone; the commands' dynamic
// imports (src/commands/table.ts) become modules initialised on first use. dist/ is the tsc output's folder, so
// `new URL('../templates/', import.meta.url)` keeps pointing at the package's files.
import { build } from 'esbuild';
import { isBuiltin } from 'node:module';
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * yargs imports its help-text helpers (string-width, wrap-ansi) up front, and string-width builds Unicode property
 * regexes and an Intl.Segmenter as it loads: ~20 ms of CPU on every run, for text only --help and usage errors show.
 * yargs gets a stand-in that loads the real module on its first call (a bundled module that is required, not imported,
 * is evaluated when first required).
 */
const lazyHelpText = {
  name: 'lazy-help-text',
  setup(build) {
    build.onResolve({ filter: /^(string-width|wrap-ansi)$/ }, async (args) => {
      if (args.pluginData === 'real' || !/node_modules\/(yargs|cliui)\/(?!node_modules\/)/.test(args.importer)) return undefined;
      const { kind, importer, resolveDir } = args;
      const real = await build.resolve(args.path, { kind, importer, resolveDir, pluginData: 'real' });
      return { path: real.path, namespace: 'lazy-help-text' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-help-text' }, (args) => ({
      contents: `export default (...args) => require(${JSON.stringify(args.path)}).default(...args);`,
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * zod's namespace (the `z` every schema module imports, and the library exports to plugins) carries every locale,
 * each evaluated as the bundle loads, for the English messages alone. The locales stay, each evaluated on first use.
 */
const lazyZodLocales = {
  name: 'lazy-zod-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const lazy = source.replace(
        /^export \{ default as (\w+) \} from "(\.\/[\w-]+\.js)";$/gm,
        (_, name, file) => `export const ${name} = (...args) => require(${JSON.stringify(file)}).default(...args);`,
      );
      if (/^export .* from /m.test(lazy)) throw new Error(`zod's locales index changed shape: ${args.path}`);
      return { contents: lazy, resolveDir: dirname(args.path) };
    });
  },
};

/**
 * No `import()` may run inside the bundle: Node 20 drops a vm.Script's dynamic import handler when V8 takes its code
 * from the code cache. A built-in module imported on use becomes a bundled require (also skipping the ES module
 * loader); every other specifier goes through src/code-cache/import-module.ts, left outside as a file of its own.
 */
const IMPORT_MODULE = fileURLToPath(new URL('../src/code-cache/import-module.ts', import.meta.url));
const IMPORT_MODULE_OUT = 'cli-import-module.cjs';
const importsOutside = {
  name: 'imports-outside',
  setup(build) {
    build.onResolve({ filter: /import-module\.js$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const { kind, importer, resolveDir } = args;
      const real = await build.resolve(args.path, { kind, importer, resolveDir, pluginData: 'real' });
      return real.path === IMPORT_MODULE ? { path: `./${IMPORT_MODULE_OUT}`, external: true } : undefined;
    });
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !isBuiltin(args.path)) return undefined;
      return { path: args.path, namespace: 'builtin-on-use' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-on-use' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
    }));
  },
};

const outdir = process.argv[2] ?? fileURLToPath(new URL('../dist/', import.meta.url));

// An earlier build's files: its chunks (cli-<name>-<hash>.js, before the code cache) would stay beside the new ones.
const previous = await readdir(outdir).catch(() => []);
await Promise.all(previous.filter((name) => /^cli[-.]/.test(name)).map((name) => rm(join(outdir, name), { force: true })));

const common = { bundle: true, platform: 'node', target: 'node20', allowOverwrite: true, logLevel: 'warning' };
const bundleFile = join(outdir, 'cli-bundle.cjs');

await build({
  ...common,
  entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
  outfile: bundleFile,
  format: 'cjs',
  sourcemap: true,
  // jiti and cosmiconfig stay packages of their own: they load through createRequire, and only for a config to load.
  external: ['jiti', 'cosmiconfig'],
  // The modules' own URL is the bundle's: the same folder as tsc's output.
  define: { 'import.meta.url': '__capmediaUrl' },
  banner: { js: "var __capmediaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyHelpText, lazyZodLocales, importsOutside],
});

await build({ ...common, entryPoints: [IMPORT_MODULE], outfile: join(outdir, IMPORT_MODULE_OUT), format: 'cjs' });

/**
 * esbuild escapes every non-ASCII character of the code but copies comments as they are (a dependency's "request’s").
 * The launcher reads the bundle as latin1, a one-byte string for V8 without decoding: comments carry escapes instead.
 */
const ascii = (await readFile(bundleFile, 'utf8')).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
await writeFile(bundleFile, ascii);

await build({
  ...common,
  entryPoints: [fileURLToPath(new URL('../src/code-cache/main.ts', import.meta.url))],
  outfile: join(outdir, 'cli.js'),
  format: 'esm',
  // The code cache is keyed on the bundle's bytes, hashed here rather than on every run (src/code-cache/main.ts).
  define: { CAPMEDIA_BUNDLE_SHA256: JSON.stringify(createHash('sha256').update(ascii).digest('hex')) },
});
