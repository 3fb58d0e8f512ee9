import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CapmediaError, fail } from '../errors/index.js';
import { MANIFEST_FILE } from './manifest.js';

/**
 * Where an image folder is read from: a local folder (or its manifest.json),
 * or an http(s) URL of the folder — e.g. the WebDAV location the agent
 * uploaded to. Parts are always read as streams.
 */
export interface ImageSource {
  /** For messages: the folder path or URL. */
  location: string;
  readText(file: string): Promise<string>;
  open(file: string): Promise<Readable>;
  /** The file's path when the image is on this machine (wimlib reads files, not streams). */
  localPath?(file: string): string;
}

export async function openImageSource(location: string, cwd = process.cwd()): Promise<ImageSource> {
  if (/^https?:\/\//i.test(location)) return httpSource(location.replace(/\/*$/, ''));
  let folder = resolve(cwd, location);
  if (basename(folder) === MANIFEST_FILE) folder = dirname(folder);
  const info = await stat(folder).catch(() => undefined);
  // Like `verify`: a path that is not there is a mistake on the command line, not a broken image.
  if (!info) {
    throw fail('imageFolderMissing', { folder });
  }
  if (!info.isDirectory()) {
    throw fail('notImageFolder', { folder });
  }
  return localSource(folder);
}

function localSource(folder: string): ImageSource {
  const path = (file: string) => join(folder, file);
  return {
    location: folder,
    localPath: path,
    readText: async (file) => readFile(path(file), 'utf8').catch((error) => Promise.reject(missing(folder, file, reasonOf(error), error))),
    open: async (file) => {
      const info = await stat(path(file)).catch((error) => Promise.reject(missing(folder, file, reasonOf(error), error)));
      if (!info.isFile()) throw missing(folder, file, 'not a regular file');
      return createReadStream(path(file), { highWaterMark: 1024 * 1024 });
    },
  };
}

function httpSource(base: string): ImageSource {
  const get = async (file: string) => {
    const url = `${base}/${encodeURIComponent(file)}`;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw fail('imageUrlUnreadable', { url, message: (error as Error).message }, { cause: error });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw missing(base, file, `HTTP ${response.status}`);
    }
    return response;
  };
  return {
    location: base,
    readText: async (file) => (await get(file)).text(),
    open: async (file) => Readable.fromWeb((await get(file)).body as import('node:stream/web').ReadableStream),
  };
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function missing(location: string, file: string, reason: string, cause?: unknown): CapmediaError {
  if (file === MANIFEST_FILE) {
    return fail('imageManifestUnreadable', { location, manifest: MANIFEST_FILE, reason }, { cause });
  }
  return fail('imagePartUnreadable', { file, location, reason }, { cause });
}
