import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ioError, isCapmediaError } from '../errors/index.js';
import { lockedByOther } from './output-lock.js';
import { trackPartial, untrackPartial } from './partials.js';

/**
 * Temp-then-rename, the one way capmedia replaces a file: the new bytes are
 * written beside the final name (same file system, so the rename is atomic)
 * under a name no user file has, and a crash leaves the old file or the new
 * one, never half of one.
 */
export const PARTIAL_SUFFIX = '.capmedia-partial';

/** The previous version of a file or folder while its replacement moves in; never a partial. */
const ASIDE_SUFFIX = '.capmedia-old';

/** `.<name>.<8 hex>.capmedia-old` beside `final`: where the previous version waits while the new one moves in. */
function asidePath(final: string): string {
  return join(dirname(final), `.${basename(final)}.${randomBytes(4).toString('hex')}${ASIDE_SUFFIX}`);
}

/** `.<name>.<8 hex>.capmedia-partial` beside `final`; removed if the build is cancelled before it is renamed. */
export function partialPath(final: string): string {
  return trackPartial(join(dirname(final), `.${basename(final)}.${randomBytes(4).toString('hex')}${PARTIAL_SUFFIX}`));
}

/**
 * Renames a finished temp file or folder onto its final name. A file already
 * there is moved aside first and removed after, rather than renamed over:
 * ext4 (auto_da_alloc) writes the new file's pages out inside a rename that
 * replaces a file, ~0.7 s per GB the build would wait for, which a rename to
 * a free name does not. The final name is missing for the two renames only,
 * and the next build of the output puts the previous file back if a crash
 * fell in between (`removeStalePartials`).
 */
export async function moveIntoPlace(
  temp: string,
  final: string,
  what = 'move the finished file into place at',
  options: { removePreviousLater?: boolean } = {},
): Promise<void> {
  const aside = (await isFile(final)) ? asidePath(final) : undefined;
  try {
    if (aside) await rename(final, aside);
  } catch (error) {
    throw ioError(what, final, error);
  }
  try {
    await rename(temp, final);
    untrackPartial(temp);
  } catch (error) {
    if (aside) await rename(aside, final).catch(() => undefined);
    throw ioError(what, final, error);
  }
  if (!aside) return;
  const removal = rm(aside, { force: true }).catch((error: unknown) =>
    Promise.reject(ioError('remove the previous version of', final, error)),
  );
  if (options.removePreviousLater) removeInBackground(removal);
  else await removal;
}

/**
 * Removals of previous outputs that run while the build writes its records:
 * freeing a large file costs ~0.25 s per GB (ext4, measured), and the new
 * output is in place before it starts. `previousVersionsRemoved` waits.
 */
const removals = new Set<Promise<unknown>>();
const removalFailures: unknown[] = [];

function removeInBackground(removal: Promise<void>): void {
  const tracked = removal.catch((error: unknown) => void removalFailures.push(error)).finally(() => removals.delete(tracked));
  removals.add(tracked);
}

/** Waits for every removal `moveIntoPlace(…, { removePreviousLater })` started; throws the first that failed. */
export async function previousVersionsRemoved(): Promise<void> {
  while (removals.size > 0) await Promise.all(removals);
  const failure = removalFailures.shift();
  removalFailures.length = 0;
  if (failure !== undefined) throw failure;
}

async function isFile(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/**
 * Writes `final` through a temp file `write` fills; on any failure the temp
 * is removed and `final` is as it was. Errors of the catalog pass through,
 * others name `final`.
 */
export async function replaceFile(final: string, write: (temp: string) => Promise<void>, operation = 'write'): Promise<void> {
  const temp = partialPath(final);
  try {
    await mkdir(dirname(final), { recursive: true });
    await write(temp);
    await rename(temp, final);
    untrackPartial(temp);
  } catch (error) {
    await rm(temp, { force: true, recursive: true });
    untrackPartial(temp);
    throw isCapmediaError(error) ? error : ioError(operation, final, error);
  }
}

/**
 * Runs `work` in a scratch folder beside `final` (the same file system, so
 * what it makes can be renamed onto `final`); the folder is removed
 * afterwards, whatever happens, and by a cancelled build.
 */
export async function withScratchFolder<T>(final: string, work: (folder: string) => Promise<T>): Promise<T> {
  const folder = partialPath(final);
  await mkdir(folder, { recursive: true }).catch((error: unknown) => Promise.reject(ioError('create a folder beside', final, error)));
  try {
    return await work(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
    untrackPartial(folder);
  }
}

/**
 * Puts the finished folder `temp` in place of the folder `final`. The
 * previous one is moved aside only now, and comes back if the new one
 * cannot be moved in: a crash leaves the old folder or the new one.
 */
export async function replaceFolder(temp: string, final: string): Promise<void> {
  const aside = asidePath(final);
  const hadPrevious = await rename(final, aside).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw ioError('move the previous folder aside', final, error);
    },
  );
  try {
    await rename(temp, final);
    untrackPartial(temp);
  } catch (error) {
    if (hadPrevious) await rename(aside, final).catch(() => undefined);
    throw ioError('move the new folder into', final, error);
  }
  if (hadPrevious) await rm(aside, { recursive: true, force: true });
}

export const writeFileAtomically = (final: string, data: string | Uint8Array): Promise<void> =>
  replaceFile(final, (temp) => writeFile(temp, data, { flag: 'wx' }));

export const writeJsonAtomically = (final: string, value: unknown): Promise<void> =>
  writeFileAtomically(final, `${JSON.stringify(value)}\n`);

/**
 * The partials of this output and its volumes left by a build that died
 * (kill -9, power loss): partials of this name only, never another output's.
 * A previous output moved aside (`moveIntoPlace`) comes back if its name is
 * still free, else it is removed. Only the holder of the output's lock writes
 * them, so the lock holder may call this.
 */
export async function removeStalePartials(output: string): Promise<void> {
  const ext = extname(output);
  const own = new RegExp(
    `^\\.(${escapeRegExp(basename(output, ext))}(-\\d+)?${escapeRegExp(ext)})\\.[0-9a-f]{8}(${escapeRegExp(PARTIAL_SUFFIX)}|${escapeRegExp(ASIDE_SUFFIX)})$`,
  );
  const folder = dirname(output);
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const match = own.exec(name);
    if (!match) continue;
    const final = join(folder, match[1]);
    // capture-2.iso may be another config's own output, written under its own lock right now.
    if (match[2] && (await lockedByOther(final))) continue;
    if (match[3] === ASIDE_SUFFIX && (await restoreAside(join(folder, name), final))) continue;
    // recursive: a media type may write a folder (its partial is one too).
    await rm(join(folder, name), { recursive: true, force: true });
  }
}

/** Puts a previous output back under its name when a crash left the name empty; false when the name is taken. */
async function restoreAside(aside: string, final: string): Promise<boolean> {
  if (
    await lstat(final).then(
      () => true,
      () => false,
    )
  )
    return false;
  await rename(aside, final).catch((error: unknown) => Promise.reject(ioError('put the previous output back at', final, error)));
  return true;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
