import { isSha256 } from '../../library/hash.js';
import { safeRelativePath } from '../../library/safe-path.js';

/**
 * A remote record is input from another machine: its shape is checked before
 * anything reads it, and every path it names must stay inside the media tree.
 */
interface Entry {
  target: string;
  sha256: string;
  size: number;
  packageId: string;
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isEntry(value: unknown): value is Entry {
  const entry = value as Partial<Entry> | null;
  if (!entry || typeof entry.target !== 'string' || typeof entry.sha256 !== 'string' || !isSha256(entry.sha256)) return false;
  if (!isSize(entry.size) || typeof entry.packageId !== 'string') return false;
  try {
    return safeRelativePath(entry.target, 'a remote record') === entry.target;
  } catch {
    return false;
  }
}

export function isStageOutputs(value: unknown): value is { files: Entry[] } {
  const files = (value as { files?: unknown } | null)?.files;
  return Array.isArray(files) && files.every(isEntry);
}

export function isMediaOutputs(
  value: unknown,
): value is { volumes: Array<{ sha256: string; size: number; label: string; files: Entry[] }> } {
  const outputs = value as { volumes?: unknown; setManifest?: unknown } | null;
  if (!outputs || !Array.isArray(outputs.volumes) || outputs.volumes.length === 0) return false;
  if (outputs.setManifest !== undefined && typeof outputs.setManifest !== 'string') return false;
  if (outputs.volumes.length > 1 && outputs.setManifest === undefined) return false;
  return outputs.volumes.every((volume: unknown) => {
    const v = volume as { sha256?: unknown; size?: unknown; label?: unknown; files?: unknown } | null;
    return (
      !!v &&
      typeof v.sha256 === 'string' &&
      isSha256(v.sha256) &&
      isSize(v.size) &&
      typeof v.label === 'string' &&
      Array.isArray(v.files) &&
      v.files.every(isEntry)
    );
  });
}
