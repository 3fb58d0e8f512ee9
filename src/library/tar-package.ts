import { posix } from 'node:path';
import { printable } from '../printable.js';
import type { Readable } from 'node:stream';
import { fail } from '../errors/index.js';
import type { PackageFile } from './manifest.js';
import { entryPath, escapingLink, hashStream, linkTarget, readTarball } from './tar.js';

type Scanned = { kind: 'file'; sha256: string; size: number } | { kind: 'link'; target: string } | { kind: 'directory' };

export interface TarPackage {
  tarball: string;
  /** The package's files, paths relative to the package root, links resolved to their targets' bytes. */
  files: PackageFile[];
  /** capmedia-package.json at the package root, if any. */
  metadataText?: string;
  /** Regular file entries by archive path: what a second pass can upload. */
  bodies: Map<string, { sha256: string; size: number }>;
}

const MAX_METADATA_BYTES = 1 << 20;

/**
 * First pass over a tarball: every entry checked (absolute paths, "..",
 * links that leave the package, devices are refused) and every file hashed.
 * Nothing is written anywhere.
 */
export async function scanTarball(tarball: string, metadataFile: string): Promise<TarPackage> {
  const entries = new Map<string, Scanned>();
  const texts = new Map<string, Buffer>();
  await readTarball(tarball, async (header, body) => {
    const path = entryPath(header.name, tarball);
    if (!path) return;
    const previous = entries.get(path);
    if (previous && !(previous.kind === 'directory' && header.type === 'directory')) {
      throw fail('tarDuplicatePath', { tarball, path: printable(path) });
    }
    if (header.type === 'directory') entries.set(path, { kind: 'directory' });
    else if (header.type === 'symlink' || header.type === 'link')
      entries.set(path, { kind: 'link', target: linkTarget(header, path, tarball) });
    else if (header.type === 'file' || header.type === 'contiguous-file' || !header.type) {
      const keep = posix.basename(path) === metadataFile ? MAX_METADATA_BYTES : 0;
      const { sha256, size, bytes } = await hashStream(body, keep);
      entries.set(path, { kind: 'file', sha256, size });
      if (bytes) texts.set(path, bytes);
    } else {
      throw fail('tarEntryUnsupported', { path: printable(path), tarball, type: header.type });
    }
  });
  const root = packageRoot(entries, metadataFile);
  const files: PackageFile[] = [];
  const bodies = new Map<string, { sha256: string; size: number }>();
  for (const [path, entry] of entries) {
    if (entry.kind === 'file') bodies.set(path, { sha256: entry.sha256, size: entry.size });
    if (entry.kind === 'directory' || path === `${root}${metadataFile}`) continue;
    const content = entry.kind === 'file' ? entry : resolveLink(path, entries, root, tarball);
    files.push({ path: path.slice(root.length), sha256: content.sha256, size: content.size });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { tarball, files, bodies, metadataText: texts.get(`${root}${metadataFile}`)?.toString('utf8') };
}

/** `tar -czf x.tgz folder/` puts everything under folder/: when that folder holds the metadata file, it is the package root. */
function packageRoot(entries: Map<string, Scanned>, metadataFile: string): string {
  if (entries.has(metadataFile)) return '';
  const tops = new Set([...entries.keys()].map((path) => path.split('/')[0]));
  const [top] = tops;
  return tops.size === 1 && entries.get(`${top}/${metadataFile}`)?.kind === 'file' ? `${top}/` : '';
}

function resolveLink(path: string, entries: Map<string, Scanned>, root: string, tarball: string): { sha256: string; size: number } {
  const seen = new Set<string>();
  let current = path;
  for (;;) {
    const entry = entries.get(current);
    if (entry?.kind === 'file') return entry;
    if (entry?.kind === 'link') {
      if (seen.has(current)) throw fail('tarLinkLoop', { path: printable(path), tarball });
      seen.add(current);
      if (!entry.target.startsWith(root)) throw escapingLink(current, entry.target, tarball);
      current = entry.target;
      continue;
    }
    const isFolder = entry?.kind === 'directory' || [...entries.keys()].some((p) => p.startsWith(`${current}/`));
    throw fail(isFolder ? 'tarLinkToFolder' : 'tarLinkDangling', { path: printable(path), tarball, target: printable(current) });
  }
}

/**
 * Second pass: streams the bodies whose hashes are wanted to `put`, each
 * once. Transient failures are returned (to try again in another pass,
 * since a tar entry cannot be read twice); any other failure is thrown.
 */
export async function uploadFromTarball(
  pkg: TarPackage,
  wanted: ReadonlySet<string>,
  put: (sha256: string, size: number, body: Readable) => Promise<void>,
  isTransient: (error: unknown) => boolean,
): Promise<Map<string, unknown>> {
  const done = new Set<string>();
  const failed = new Map<string, unknown>();
  await readTarball(pkg.tarball, async (header, body) => {
    const path = entryPath(header.name, pkg.tarball);
    const entry = path === undefined ? undefined : pkg.bodies.get(path);
    if (!entry || !wanted.has(entry.sha256) || done.has(entry.sha256)) return;
    done.add(entry.sha256);
    try {
      await put(entry.sha256, entry.size, body);
      failed.delete(entry.sha256);
    } catch (error) {
      if (!isTransient(error)) throw error;
      failed.set(entry.sha256, error);
    }
  });
  return failed;
}
