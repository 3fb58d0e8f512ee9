// npm run build, second half: dist/cli.js as one ESM bundle (tsc has already written dist/index.js and the .d.ts files
// for the library API). Node 20 resolves, reads and compiles each ES module separately with no code cache, so a no-op
// build spent most of its CPU loading ~250 modules; bundled, zod's locales and unused yargs and listr2 parts are gone.
// Commands load on use (src/cli.ts imports them dynamically), so esbuild splits them into chunks beside cli.js: the same
// folder depth as the tsc output, which keeps `new URL('../templates/', import.meta.url)` pointing at the package's files.
import { build } from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
});
