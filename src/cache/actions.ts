import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Preimage } from './key.js';
import { writeJsonAtomically } from '../fs/atomic.js';

export interface ActionRecord<T = unknown> {
  step: string;
  key: string;
  preimage: Preimage;
  outputs: T;
  createdAt: string;
}

/**
 * Bazel's action cache: ac/<key>.json written temp-then-rename, last, as the
 * commit marker of a step. A missing or unreadable record is simply a miss.
 */
export class ActionCache {
  constructor(readonly root: string) {}

  private path(key: string): string {
    return join(this.root, 'ac', key.slice(0, 2), `${key}.json`);
  }

  async get<T>(key: string): Promise<ActionRecord<T> | undefined> {
    try {
      const record = JSON.parse(await readFile(this.path(key), 'utf8')) as ActionRecord<T>;
      return record.key === key ? record : undefined;
    } catch {
      return undefined;
    }
  }

  async put<T>(step: string, key: string, preimage: Preimage, outputs: T): Promise<void> {
    const record: ActionRecord<T> = { step, key, preimage, outputs, createdAt: new Date().toISOString() };
    await writeJsonAtomically(this.path(key), record);
  }

  /** The pre-images of the last build of one media entry, to explain the next miss. */
  async lastPreimages(mediaId: string): Promise<Record<string, Preimage>> {
    try {
      return JSON.parse(await readFile(join(this.root, 'last', `${mediaId}.json`), 'utf8')) as Record<string, Preimage>;
    } catch {
      return {};
    }
  }

  async rememberPreimages(mediaId: string, preimages: Record<string, Preimage>): Promise<void> {
    await writeJsonAtomically(join(this.root, 'last', `${mediaId}.json`), preimages);
  }
}
