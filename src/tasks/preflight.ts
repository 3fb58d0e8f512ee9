import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, type CapmediaError } from '../errors/index.js';
import { configImports } from '../config/imports.js';
import { resolvePath, type NormalizedConfig, type NormalizedMedia } from '../config/normalize.js';
import { lockPathFor } from '../lock/lockfile.js';
import { looksLikeDevicePath } from '../devices/roots.js';
import { comparableFolder, comparablePath, isSameOrInside } from '../fs/real-path.js';
import { checkUsableFolder } from '../fs/usable-folder.js';
import { lockPath } from '../fs/output-lock.js';
import { readMounts } from '../devices/mounts.js';
import { HOST_ROOTS } from '../devices/roots.js';
import type { BuildContext, MediaJob } from './context.js';
import { setManifestPath, volumeFileName } from './volumes.js';

/** Volumes a set may have: file names up to this sequence number are reserved for each media. */
const MAX_VOLUMES = 99;

interface Named {
  path: string;
  what: string;
  /** The path as configured, before symlinks and case were resolved. */
  given?: string;
}

/**
 * Before any work: the folders the build writes are usable, and no output
 * (image, volumes, checksums, manifests, lock) is or lies inside an input,
 * the cache or staging, or collides with another output.
 */
export async function preflight(ctx: BuildContext): Promise<void> {
  const mounts = await readMounts(HOST_ROOTS);
  await checkUsableFolder({ key: 'cache.dir (or CAPMEDIA_CACHE_DIR)', path: ctx.config.cacheDir }, mounts);
  for (const job of ctx.jobs) {
    await checkUsableFolder({ key: `media.staging of media ${JSON.stringify(job.media.name)}`, path: job.media.staging }, mounts);
    if (writesFile(job.media))
      await checkUsableFolder({ key: outputKey(job.media), path: outputFolder(job.media.output), shown: job.media.output }, mounts);
  }
  const userInputs = await comparable(await configInputs(ctx.config));
  const [cache] = await comparable([{ path: ctx.config.cacheDir, what: 'the cache folder' }]);
  refuseCacheHolding(ctx.config, cache, userInputs);
  const staging = ctx.jobs.map((job) => ({ path: job.stagingDir, what: `the staging folder of media ${JSON.stringify(job.media.name)}` }));
  const inputs = [...userInputs, cache, ...(await comparable(staging))];
  const claimed = new Map<string, Named>();
  for (const job of ctx.jobs) {
    if (!writesFile(job.media)) continue;
    for (const output of await comparable(outputsOf(job, Boolean(ctx.config.registry.mediaType(job.media.type).spansVolumes)), true)) {
      const input = inputs.find((i) => isSameOrInside(output.path, i.path));
      if (input) throw conflict(job, output, input, output.path === input.path ? 'would overwrite' : 'would be written inside');
      const other = claimed.get(output.path);
      if (other) throw conflict(job, output, other, 'is also');
      claimed.set(output.path, output);
    }
  }
}

/** A mounted stick's folder (usb, format: false) is written into; any other output is written beside. */
function outputFolder(output: string): string {
  return isFolder(output) ? output : dirname(output);
}

export function isFolder(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    // ENOTDIR and the like: not a folder, and the folder checks say why
    return false;
  }
}

function writesFile(media: NormalizedMedia): boolean {
  return Boolean(media.output) && !looksLikeDevicePath(media.output);
}

function outputKey(media: NormalizedMedia): string {
  return `${media.type === 'iso' ? 'media.file' : 'media.device'} of media ${JSON.stringify(media.name)}`;
}

/** The cache is capmedia's to fill and `capmedia clean` empties it: it must not hold the config or a library. */
export async function checkCacheFolder(config: NormalizedConfig): Promise<void> {
  const [cache] = await comparable([{ path: config.cacheDir, what: 'the cache folder' }]);
  refuseCacheHolding(config, cache, await comparable(await configInputs(config)));
}

function refuseCacheHolding(config: NormalizedConfig, cache: Named, inputs: Named[]): void {
  const held = inputs.find((input) => isSameOrInside(input.path, cache.path));
  if (!held) return;
  throw fail('cacheHoldsInput', { cacheDir: config.cacheDir, what: held.what, path: held.given ?? held.path });
}

/** What the user owns and the build reads: the config, its imports, its lock, file: libraries, CA and password files. */
async function configInputs(config: NormalizedConfig): Promise<Named[]> {
  const inputs: Named[] = [];
  if (config.configFile) {
    inputs.push({ path: config.configFile, what: 'the config file' });
    for (const file of await configImports(config.configFile)) inputs.push({ path: file, what: 'a file the config imports' });
  }
  for (const dp of config.distributionPoints) {
    if (dp.url.startsWith('file:')) inputs.push({ path: fileURLToPath(dp.url), what: `distribution point ${JSON.stringify(dp.name)}` });
    if (dp.ca) inputs.push({ path: dp.ca, what: `the CA file of distribution point ${JSON.stringify(dp.name)}` });
    if (dp.auth?.passwordFile)
      inputs.push({ path: dp.auth.passwordFile, what: `the password file of distribution point ${JSON.stringify(dp.name)}` });
  }
  const remote = config.cache?.remote;
  if (remote?.ca) inputs.push({ path: resolvePath(config.baseDir, remote.ca), what: 'the CA file of the remote cache (cache.remote.ca)' });
  if (remote?.auth?.passwordFile)
    inputs.push({
      path: resolvePath(config.baseDir, remote.auth.passwordFile),
      what: 'the password file of the remote cache (cache.remote.auth.passwordFile)',
    });
  const credentials = config.taskSequence.credentials?.passwordFile;
  if (credentials)
    inputs.push({ path: resolvePath(config.baseDir, credentials), what: 'the password file of taskSequence.credentials.passwordFile' });
  // The lock pins what the config builds: an output over it would lose the pins.
  inputs.push({ path: lockPathFor(config), what: 'the lock file' });
  return inputs;
}

/** Every file a build of this media may write beside the output. */
function outputsOf(job: MediaJob, spansVolumes: boolean): Named[] {
  const output = job.media.output;
  const key = outputKey(job.media);
  const named: Named[] = [
    { path: output, what: key },
    { path: `${output}.sha256`, what: `the checksum of ${key}` },
    { path: `${output}.manifest.json`, what: `the build manifest of ${key}` },
    { path: lockPath(output), what: `the lock of ${key}` },
  ];
  // Only media that span volumes write a set manifest and numbered volumes.
  if (!spansVolumes) return named;
  named.push({ path: setManifestPath(output), what: `the set manifest of ${key}` });
  for (let n = 1; n <= MAX_VOLUMES; n++) {
    const volume = volumeFileName(output, n);
    named.push(
      { path: volume, what: `volume ${n} of ${key}` },
      { path: `${volume}.sha256`, what: `the checksum of volume ${n} of ${key}` },
    );
  }
  return named;
}

/** Outputs share a folder: one real-path lookup for it, then only its case rule for the names (the main path may be a symlink). */
async function comparable(items: Named[], sameFolder = false): Promise<Named[]> {
  if (!sameFolder) return Promise.all(items.map(async (item) => ({ ...item, given: item.path, path: await comparablePath(item.path) })));
  const [main, ...rest] = items;
  const folder = await comparableFolder(dirname(main.path));
  const fold = (name: string) => (folder.foldsCase ? name.toLowerCase() : name);
  return [
    { ...main, given: main.path, path: await comparablePath(main.path) },
    ...rest.map((item) => ({ ...item, given: item.path, path: join(folder.path, fold(basename(item.path))) })),
  ];
}

function conflict(job: MediaJob, output: Named, other: Named, relation: string): CapmediaError {
  const sentence =
    relation === 'is also'
      ? `${output.what} would be ${shown(output)}, which is also ${other.what}.`
      : `${output.what} is ${shown(output)}, which ${relation} ${other.what} (${other.given ?? other.path}).`;
  const example = `out/${job.media.name}.${job.media.type === 'iso' ? 'iso' : 'img'}`;
  return fail('outputConflict', { sentence, key: outputKey(job.media), example });
}

/** The path as written, and where it really leads when that differs (a symlink, `..`). */
function shown(item: Named): string {
  return item.given && item.given !== item.path ? `${item.given} (really ${item.path})` : item.path;
}
