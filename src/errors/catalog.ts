import type { ErrorEntry } from './entry.js';
import { fileErrors, internalErrors } from './files.js';
import { transferErrors } from './transfer.js';

/**
 * The one catalog: every error capmedia reports, by name. Each area keeps its
 * entries in its own file here; a name given twice is a bug caught when this
 * module loads.
 */
export const catalog = join(fileErrors, internalErrors, transferErrors);

export type Catalog = typeof catalog;
export type ErrorName = keyof Catalog;

function join<T extends Array<Record<string, ErrorEntry<any>>>>(...tables: T): UnionToIntersection<T[number]> {
  const all: Record<string, ErrorEntry<any>> = {};
  for (const table of tables) {
    for (const [name, entry] of Object.entries(table)) {
      if (name in all) throw new TypeError(`error catalog: ${name} is defined twice`);
      all[name] = entry;
    }
  }
  return all as UnionToIntersection<T[number]>;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
