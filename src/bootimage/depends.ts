import { fail } from '../errors/index.js';
import { aptShow, fieldOf } from './debs.js';
import type { BuildContext } from './types.js';

/**
 * The Debian packages whose shared libraries a set of programs may need:
 * the programs' packages plus, transitively, the library packages they
 * depend on. Only library packages are followed (lib*, zlib1g): the shared
 * objects a program loads live there, and following everything would drag
 * in dpkg, debconf and perl for nothing. Which files are really copied is
 * decided later from the ELF headers (see libraries.ts).
 */
export async function libraryPackageClosure(ctx: BuildContext, roots: readonly string[]): Promise<string[]> {
  const seen = new Set(roots);
  let frontier = [...roots];
  while (frontier.length > 0) {
    const records = await aptShow(ctx, frontier);
    const next: string[] = [];
    for (const name of frontier) {
      const record = records.find((text) => fieldOf(text, 'Package') === name);
      if (record === undefined) {
        throw fail('agentDebUnknown', { name });
      }
      for (const dependency of libraryDependencies(record)) {
        if (!seen.has(dependency)) {
          seen.add(dependency);
          next.push(dependency);
        }
      }
    }
    frontier = next;
  }
  return [...seen].sort();
}

/** Depends + Pre-Depends, first alternative of each, library packages only. */
export function libraryDependencies(record: string): string[] {
  const fields = [fieldOf(record, 'Pre-Depends'), fieldOf(record, 'Depends')].filter(Boolean).join(', ');
  return fields
    .split(',')
    .map((clause) =>
      clause
        .split('|')[0]
        .replace(/\(.*?\)/g, '')
        .replace(/:\S+/, '')
        .trim(),
    )
    .filter((name) => /^(lib|zlib)[a-z0-9.+-]*$/.test(name));
}
