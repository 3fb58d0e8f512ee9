const SHA256 = /^[0-9a-f]{64}$/;

/** A manifest's file entry: manifest.ts's PackageFile, spelled out because that module imports this one. */
export interface PlainFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * A manifest's file list as the schema would return it, when every entry is
 * a plain object with exactly a non-empty path, a size that is a safe
 * non-negative integer and a lowercase hex sha256. Undefined for anything
 * else, which the schema then judges and explains: this accepts only what
 * the schema accepts, and returns the same objects (keys in schema order).
 */
export function plainFiles(value: unknown): PlainFile[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const files: PlainFile[] = [];
  for (const entry of value as unknown[]) {
    const file = plainFile(entry);
    if (!file) return undefined;
    files.push(file);
  }
  return files;
}

function plainFile(entry: unknown): PlainFile | undefined {
  if (typeof entry !== 'object' || entry === null || Object.getPrototypeOf(entry) !== Object.prototype) return undefined;
  const { path, size, sha256 } = entry as Record<string, unknown>;
  if (typeof path !== 'string' || path.length === 0) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  if (typeof sha256 !== 'string' || !SHA256.test(sha256)) return undefined;
  return keyCount(entry) === 3 ? { path, size, sha256 } : undefined;
}

/** Counted without building a key array per file; an enumerable key on Object.prototype counts too, and refuses. */
function keyCount(entry: object): number {
  let count = 0;
  for (const _ in entry) count++;
  return count;
}
