import { createHash } from 'node:crypto';
import { printable } from '../printable.js';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import type { Readable as EntryStream } from 'streamx';
import { CapmediaError, fail } from '../errors/index.js';
import { safeRelativePath } from './safe-path.js';

/**
 * Tarballs are read as streams, entry by entry, never unpacked to disk: a
 * hostile archive then has nowhere to write, and a 4 GB package needs no 4 GB
 * of temporary space.
 */
export type TarVisitor = (header: Header, body: Readable) => Promise<void>;

export async function readTarball(path: string, visit: TarVisitor): Promise<void> {
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  const input = (await isGzip(path)) ? source.pipe(createGunzip()) : source;
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.destroy();
      extract.destroy();
      reject(asTarError(error, path));
    };
    source.on('error', fail);
    input.on('error', fail);
    extract.on('error', fail);
    extract.on('entry', (header, entry, next) => {
      const ended = new Promise<void>((done) => entry.once('end', done));
      const body = nodeView(entry);
      visit(header, body).then(async () => {
        // Whatever the visitor left unread is drained: the next header follows the body.
        if (!body.readableEnded) body.destroy();
        await ended;
        next();
      }, fail);
    });
    extract.on('finish', () => (failed ? undefined : resolve()));
    input.pipe(extract);
  });
}

/**
 * A Node stream view of a tar-stream entry. Destroying the view detaches it
 * and lets the entry drain; destroying the entry itself would tear down the
 * whole archive.
 */
function nodeView(entry: EntryStream): Readable {
  let detached = false;
  const view = new Readable({
    highWaterMark: 1 << 20,
    read: () => void entry.resume(),
    destroy: (error, callback) => {
      detached = true;
      entry.resume();
      callback(error);
    },
  });
  entry.on('data', (chunk) => {
    if (!detached && !view.push(chunk as Buffer)) entry.pause();
  });
  entry.on('end', () => {
    if (!detached) view.push(null);
  });
  return view;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function asTarError(error: unknown, path: string): unknown {
  if (error instanceof CapmediaError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES') return fail('tarballUnreadable', { path, code });
  return fail('tarballInvalid', { path, message: (error as Error).message });
}

/** The archive path of an entry, made safe; undefined for the archive root itself ("./"). */
export function entryPath(name: string, tarball: string): string | undefined {
  const trimmed = name.replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') return undefined;
  return safeRelativePath(trimmed, `the tarball ${tarball}`);
}

/**
 * Where a link points, as an archive path. A symlink resolves against its
 * folder, a hard link names an archive path; neither may leave the archive.
 */
export function linkTarget(header: Header, path: string, tarball: string): string {
  const linkname = header.linkname ?? '';
  if (header.type === 'link') return safeRelativePath(linkname, `the hard link ${printable(path)} in ${tarball}`);
  if (linkname.startsWith('/')) throw escapingLink(path, linkname, tarball);
  const resolved = posix.normalize(posix.join(posix.dirname(path), linkname));
  if (resolved === '..' || resolved.startsWith('../') || resolved === '.') throw escapingLink(path, linkname, tarball);
  return resolved;
}

export function escapingLink(path: string, linkname: string, tarball: string): CapmediaError {
  return fail('tarLinkOutside', { path: printable(path), linkname: printable(linkname), tarball });
}

export async function hashStream(body: Readable, keep = 0): Promise<{ sha256: string; size: number; bytes?: Buffer }> {
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size <= keep) kept.push(chunk as Buffer);
  }
  return { sha256: hash.digest('hex'), size, bytes: size <= keep ? Buffer.concat(kept) : undefined };
}
