// npm run build, second half: the `capmedia` command (tsc has already written dist/index.js and the .d.ts files for the
// library API). Node 20 compiles every ES module from source on every run, with no code cache, and a required file too,
// so the CLI is one CommonJS bundle, dist/cli-bundle.cjs, that a small launcher, dist/cli.js, runs through V8's code
// cache (src/code-cache/). Bundled, zod's locales and unused yargs and listr2 parts are gone; the commands' dynamic
// imports (src/commands/table.ts) become modules initialised on first use. dist/ is the tsc output's folder, so
// `new URL('../templates/', import.meta.url)` keeps pointing at the package's files.
import { build } from 'esbuild';
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
  plugins: [lazyHelpText, lazyZodLocales],
});

await build({
  ...common,
  entryPoints: [fileURLToPath(new URL('../src/code-cache/main.ts', import.meta.url))],
  outfile: join(outdir, 'cli.js'),
  format: 'esm',
});

/**
 * esbuild escapes every non-ASCII character of the code but copies comments as they are (a dependency's "request’s").
 * The launcher reads the bundle as latin1, a one-byte string for V8 without decoding: comments carry escapes instead.
 */
const text = await readFile(bundleFile, 'utf8');
await writeFile(
  bundleFile,
  text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
);
