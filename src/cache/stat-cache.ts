import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../library/hash.js';
import { writeJsonAtomically } from '../fs/atomic.js';

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

/**
 * Remembers (path, size, mtime, inode) → sha256 so an unchanged file is not
 * read again. Any difference in size, mtime or inode means hashing again:
 * mtime alone is never trusted. Lost updates between concurrent builds only
 * cost a re-hash, so a plain atomic replace is enough.
 */
export class StatCache {
  private entries: Record<string, Entry> | undefined;
  private dirty = false;

  constructor(readonly root: string) {}

  private get file(): string {
    return join(this.root, 'stat-cache.json');
  }

  private async load(): Promise<Record<string, Entry>> {
    if (!this.entries) {
      try {
        this.entries = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, Entry>;
      } catch {
        this.entries = {};
      }
    }
    return this.entries;
  }

  /** The file's sha256, from memory when its stat is unchanged. Undefined when the file does not exist. */
  async sha256(path: string): Promise<{ sha256: string; size: number } | undefined> {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const entries = await this.load();
    const known = entries[path];
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino) {
      return { sha256: known.sha256, size: known.size };
    }
    const hashed = await sha256File(path);
    await this.remember(path, hashed.sha256);
    return hashed;
  }

  /** Records a hash we computed while writing the file, so it need not be read back. */
  async remember(path: string, sha256: string): Promise<void> {
    const info = await stat(path);
    const entries = await this.load();
    entries[path] = { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, sha256 };
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty || !this.entries) return;
    await writeJsonAtomically(this.file, this.entries);
    this.dirty = false;
  }
}
