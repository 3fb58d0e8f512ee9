import type { ErrorEntry } from './entry.js';
import { bootImageErrors } from './bootimage.js';
import { commandErrors } from './commands.js';
import { configErrors } from './config.js';
import { deviceErrors } from './devices.js';
import { dpErrors } from './dp.js';
import { fileErrors, internalErrors } from './files.js';
import { buildErrors } from './build.js';
import { imageErrors } from './image.js';
import { libraryErrors } from './library.js';
import { lockErrors } from './lock.js';
import { outputErrors } from './outputs.js';
import { pluginErrors } from './plugins.js';
import { remoteCacheErrors } from './cache.js';
import { taskSequenceErrors } from './tasksequence.js';
import { toolErrors } from './tools.js';
import { mediaErrors } from './media.js';
import { transferErrors } from './transfer.js';

/**
 * The one catalog: every error capmedia reports, by name. Each area keeps its
 * entries in its own file here; a name given twice is a bug caught when this
 * module loads.
 */
export const catalog = join(
  fileErrors,
  internalErrors,
  bootImageErrors,
  commandErrors,
  configErrors,
  deviceErrors,
  dpErrors,
  imageErrors,
  libraryErrors,
  lockErrors,
  outputErrors,
  pluginErrors,
  remoteCacheErrors,
  taskSequenceErrors,
  toolErrors,
  buildErrors,
  mediaErrors,
  transferErrors,
);

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
