import { access, constants, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { CapmediaError, ioError, fail } from '../../errors/index.js';
import { parseManifest, type PackageManifest } from '../../library/manifest.js';
import { hashingPassThrough } from '../../library/verify-stream.js';
import { safeRelativePath } from '../../library/safe-path.js';
import { checkFromError } from './check.js';
import type { BlobReadOptions, DistributionPoint, DistributionPointScheme, PackageCheck } from './types.js';
import { replaceFile } from '../../fs/atomic.js';
import { checkFiles, type FileState } from '../../fs/file-checks.js';

/** A content library on a local or mounted file system. */
class FileDistributionPoint implements DistributionPoint {
  readonly root: string;
  constructor(
    readonly name: string,
    readonly displayUrl: string,
  ) {
    this.root = fileURLToPath(displayUrl);
  }

  localBlobPath(sha256: string): string {
    return this.blobPath(sha256);
  }

  blobPath(sha256: string): string {
    return join(this.root, 'files', sha256.slice(0, 2), sha256);
  }

  manifestPath(id: string): string {
    return join(this.root, 'packages', `${id}.json`);
  }

  async readManifest(id: string): Promise<PackageManifest> {
    const path = this.manifestPath(id);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw this.accessError(error, `package ${id}`, path);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw fail('dpManifestNotJson', { id, name: this.name, path });
    }
    const manifest = parseManifest(json, `${path}`);
    if (manifest.id !== id) {
      throw fail('manifestIdMismatch', { where: path, declared: JSON.stringify(manifest.id), expected: JSON.stringify(id) });
    }
    return manifest;
  }

  async checkPackage(id: string, pinned?: PackageManifest): Promise<PackageCheck> {
    let manifest: PackageManifest;
    try {
      await access(this.root, constants.R_OK | constants.X_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM')
        return { status: 'no-permission', reason: `the account ${currentUser()} cannot read ${this.root}` };
      return { status: 'unreachable', reason: `${this.root} is not reachable (${code ?? 'error'})` };
    }
    try {
      manifest = pinned ?? (await this.readManifest(id));
    } catch (error) {
      return checkFromError(error);
    }
    const blobs = manifest.files.map((file) => ({ path: this.blobPath(file.sha256), size: file.size }));
    const states = await checkFiles(join(this.root, 'files'), blobs);
    const problems = manifest.files.flatMap((file, i) => {
      const problem = blobProblem(states[i], file, blobs[i].path);
      return problem === undefined ? [] : [problem];
    });
    return problems.length ? { status: 'incomplete', manifest, problems } : { status: 'ok', manifest };
  }

  async openBlob(sha256: string, size: number, options: BlobReadOptions = {}): Promise<Readable> {
    const path = this.blobPath(sha256);
    try {
      const handle = await open(path, 'r');
      const info = await handle.stat();
      if (info.size !== size) {
        await handle.close();
        throw fail('dpBlobSizeWrong', { path, name: this.name, size: info.size, expected: size });
      }
      return handle.createReadStream({ start: options.start ?? 0, highWaterMark: 1 << 20 });
    } catch (error) {
      if (error instanceof CapmediaError) throw error;
      throw this.accessError(error, `blob ${sha256}`, path);
    }
  }

  async hasBlob(sha256: string, size: number): Promise<boolean> {
    const [state] = await checkFiles(join(this.root, 'files'), [{ path: this.blobPath(sha256), size }]);
    return state.kind === 'ok';
  }

  async putBlob(sha256: string, size: number, body: () => Readable): Promise<void> {
    if (await this.hasBlob(sha256, size)) return;
    const target = this.blobPath(sha256);
    await replaceFile(target, async (temp) => {
      const verify = hashingPassThrough(sha256, size, `upload of ${sha256}`);
      const { createWriteStream } = await import('node:fs');
      await pipeline(body(), verify, createWriteStream(temp, { flags: 'wx' }));
    });
  }

  async putManifest(manifest: PackageManifest): Promise<void> {
    const target = this.manifestPath(manifest.id);
    const { writeFile } = await import('node:fs/promises');
    await replaceFile(target, (temp) => writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' }));
  }

  async readDocument(path: string): Promise<Buffer | undefined> {
    const absolute = join(this.root, safeRelativePath(path, `a document path on ${this.name}`));
    try {
      return await readFile(absolute);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.accessError(error, path, absolute);
    }
  }

  async putDocument(path: string, bytes: Buffer): Promise<void> {
    const target = join(this.root, safeRelativePath(path, `a document path on ${this.name}`));
    const { writeFile } = await import('node:fs/promises');
    await replaceFile(target, (temp) => writeFile(temp, bytes, { flag: 'wx' }));
  }

  private accessError(error: unknown, what: string, path: string): CapmediaError {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return fail('dpContentMissing', { what: capitalize(what), name: this.name, path, displayUrl: this.displayUrl });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return fail('dpNoReadPermission', { user: currentUser(), name: this.name, path });
    }
    return ioError('read', path, error);
  }
}

function currentUser(): string {
  return process.env.USER ?? process.env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const fileScheme: DistributionPointScheme = {
  name: 'file',
  protocols: ['file:'],
  open: (config) => new FileDistributionPoint(config.name, config.url),
};

/** How verify distribution words a blob that is not as the manifest says. */
function blobProblem(state: FileState, file: { path: string; size: number; sha256: string }, blobPath: string): string | undefined {
  switch (state.kind) {
    case 'ok':
      return undefined;
    case 'size':
      return `${file.path}: stored blob has ${state.size} bytes, manifest says ${file.size}`;
    case 'denied':
      return `${file.path}: no Read permission on ${blobPath}`;
    case 'missing':
      return `${file.path}: blob ${file.sha256.slice(0, 12)}… is missing`;
  }
}
