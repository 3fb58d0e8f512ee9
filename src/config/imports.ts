import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';

/** import … from './x', export … from './x', import('./x'), require('./x'): the relative specifiers a module names. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\n]+)\1/g;
const EXTENSIONS = ['', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '/index.ts', '/index.js'];
const SCRIPT = /\.[cm]?[jt]s$/;

/**
 * The local files a config file imports, followed transitively: an output
 * must never overwrite one of them. Packages (bare specifiers) are not followed.
 */
export async function configImports(configFile: string): Promise<string[]> {
  const seen = new Set<string>([configFile]);
  const queue = [configFile];
  while (queue.length) {
    const file = queue.shift()!;
    if (!SCRIPT.test(file)) continue;
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const match of text.matchAll(SPECIFIER)) {
      const found = await resolveSpecifier(dirname(file), match[2]);
      if (found && !seen.has(found)) {
        seen.add(found);
        queue.push(found);
      }
    }
  }
  seen.delete(configFile);
  return [...seen];
}

async function resolveSpecifier(dir: string, specifier: string): Promise<string | undefined> {
  const base = resolve(dir, specifier);
  // TypeScript sources import './x.js' and mean './x.ts'.
  const candidates = [...EXTENSIONS.map((ext) => base + ext)];
  if (extname(base) === '.js') candidates.push(base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'));
  for (const candidate of candidates) {
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  return undefined;
}
