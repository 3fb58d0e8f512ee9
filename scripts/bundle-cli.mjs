// npm run build, second half: dist/cli.js as one ESM bundle (tsc has already written dist/index.js and the .d.ts files
// for the library API). Node 20 resolves, reads and compiles each ES module separately with no code cache, so a no-op
// build spent most of its CPU loading ~250 modules; bundled, zod's locales and unused yargs and listr2 parts are gone.
// Commands load on use (src/cli.ts imports them dynamically), so esbuild splits them into chunks beside cli.js: the same
// folder depth as the tsc output, which keeps `new URL('../templates/', import.meta.url)` pointing at the package's files.
import { build } from 'esbuild';
import { readFile, readdir, rm } from 'node:fs/promises';
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

// Chunk names carry content hashes: the previous build's chunks would otherwise pile up beside the new ones.
const previous = await readdir(outdir).catch(() => []);
await Promise.all(previous.filter((name) => /^cli[-.]/.test(name)).map((name) => rm(join(outdir, name), { force: true })));

await build({
  entryPoints: { cli: fileURLToPath(new URL('../src/cli.ts', import.meta.url)) },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'cli-[name]-[hash]',
  sourcemap: true,
  allowOverwrite: true,
  logLevel: 'warning',
  // jiti and cosmiconfig stay packages of their own: they load through createRequire, and only for a config to load.
  external: ['jiti', 'cosmiconfig'],
  // Bundled CommonJS dependencies (undici, yargs' helpers) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __capmediaRequire } from 'node:module';\nconst require = __capmediaRequire(import.meta.url);" },
  plugins: [lazyHelpText, lazyZodLocales],
});
