import type { Readable } from 'node:stream';
import { fail } from '../../../errors/index.js';
import { parseManifest, type PackageFile, type PackageManifest } from '../../../library/manifest.js';
import { displayUrl, resolveCredentials } from '../auth.js';
import { checkFromError } from '../check.js';
import { mapPool } from '../../../cache/pool.js';
import { METADATA_RETRIES, isTransient, withRetries } from '../retry.js';
import type { BlobReadOptions, DistributionPoint, DistributionPointScheme, PackageCheck } from '../types.js';
import { HttpClient } from './client.js';
import { relayBody } from './streams.js';
import { putVerifiedBlob } from './put-blob.js';

/** Manifests are small; a server sending more is not a content library. */
const MAX_MANIFEST_BYTES = 32 << 20;
/** HEAD requests per distribution point while verifying. */
const CHECK_PARALLELISM = 8;

/** A content library (SPEC §5) on any static web server; publishing needs WebDAV PUT. */
class HttpDistributionPoint implements DistributionPoint {
  constructor(
    readonly name: string,
    readonly displayUrl: string,
    private readonly client: HttpClient,
  ) {}

  private retried<T>(work: () => Promise<T>): Promise<T> {
    // Only answers worth asking again: a refused or timed-out connection is reported at once.
    return withRetries(work, METADATA_RETRIES, (error) => isTransient(error, ['response']));
  }

  async readManifest(id: string): Promise<PackageManifest> {
    const what = `package ${id}`;
    const path = `packages/${id}.json`;
    const text = await this.retried(async () => {
      const response = await this.client.send('GET', path, what);
      if (response.statusCode !== 200) throw await this.client.statusError(response, what);
      if (Number(response.headers['content-length'] ?? 0) > MAX_MANIFEST_BYTES) {
        await response.body.dump();
        throw fail('httpManifestTooLarge', { id, name: this.name, mib: MAX_MANIFEST_BYTES >> 20 });
      }
      return response.body.text().catch((error) => Promise.reject(this.client.bodyError(error, what)));
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw fail('dpManifestNotJson', { id, name: this.name, path: this.client.url(path).href }, { cause: error });
    }
    const manifest = parseManifest(json, this.client.url(path).href);
    if (manifest.id !== id)
      throw fail('manifestIdMismatch', {
        where: this.client.url(path).href,
        declared: JSON.stringify(manifest.id),
        expected: JSON.stringify(id),
      });
    return manifest;
  }

  async checkPackage(id: string, pinned?: PackageManifest): Promise<PackageCheck> {
    let manifest: PackageManifest;
    try {
      manifest = pinned ?? (await this.readManifest(id));
    } catch (error) {
      return checkFromError(error);
    }
    const problems = (await mapPool(manifest.files, CHECK_PARALLELISM, (file) => this.blobProblem(file))).filter((p) => p !== undefined);
    if (problems.length === 0) return { status: 'ok', manifest };
    if (problems.every((p) => p.denied)) {
      const { account } = this.client.options.credentials;
      return {
        status: 'no-permission',
        reason: `no Read permission for ${account} on ${this.name} (${this.displayUrl}): the files of ${id} are refused (${problems[0].text})`,
      };
    }
    return { status: 'incomplete', manifest, problems: problems.map((p) => p.text) };
  }

  private async blobProblem(file: PackageFile): Promise<{ text: string; denied?: boolean } | undefined> {
    const what = `blob ${file.sha256.slice(0, 12)}…`;
    try {
      const response = await this.retried(async () => {
        const answer = await this.client.send('HEAD', blobPath(file.sha256), what);
        if (answer.statusCode >= 500) throw await this.client.statusError(answer, what);
        await answer.body.dump();
        return answer;
      });
      const status = response.statusCode;
      if (status === 404 || status === 410) return { text: `${file.path}: ${what} is missing` };
      if (status === 401 || status === 403) return { text: `${file.path}: the server answered ${status}`, denied: true };
      if (status !== 200) return { text: `${file.path}: the server answered ${status}` };
      const length = Number(response.headers['content-length']);
      if (Number.isFinite(length) && length !== file.size)
        return { text: `${file.path}: stored blob has ${length} bytes, manifest says ${file.size}` };
      return undefined;
    } catch (error) {
      return { text: `${file.path}: could not be checked (${error instanceof Error ? error.message : String(error)})` };
    }
  }

  async openBlob(sha256: string, size: number, options: BlobReadOptions = {}): Promise<Readable> {
    const start = options.start ?? 0;
    const what = `blob ${sha256.slice(0, 12)}…`;
    const headers: Record<string, string> = start > 0 ? { range: `bytes=${start}-` } : {};
    const response = await this.client.send('GET', blobPath(sha256), what, { headers, signal: options.signal });
    const translate = (error: unknown) => this.client.bodyError(error, what, options.signal);
    if (response.statusCode === 206 && start > 0) {
      const range = String(response.headers['content-range'] ?? '');
      if (!range.startsWith(`bytes ${start}-`)) {
        await response.body.dump();
        throw fail('httpResumeRangeWrong', { name: this.name, what, start, range });
      }
      return relayBody(response.body, translate);
    }
    if (response.statusCode === 200) {
      const length = Number(response.headers['content-length']);
      if (Number.isFinite(length) && length !== size) {
        await response.body.dump();
        throw fail('dpBlobSizeWrong', { path: `${sha256.slice(0, 12)}…`, name: this.name, size: length, expected: size });
      }
      // A server that ignores Range sends the whole blob: read past what we already hold.
      return relayBody(response.body, translate, start);
    }
    throw await this.client.statusError(response, what);
  }

  async hasBlob(sha256: string, size: number): Promise<boolean> {
    const what = `blob ${sha256.slice(0, 12)}…`;
    return this.retried(async () => {
      const response = await this.client.send('HEAD', blobPath(sha256), what);
      if (response.statusCode === 404 || response.statusCode === 410) {
        await response.body.dump();
        return false;
      }
      if (response.statusCode !== 200) throw await this.client.statusError(response, what);
      await response.body.dump();
      return Number(response.headers['content-length']) === size;
    });
  }

  async putBlob(sha256: string, size: number, body: () => Readable): Promise<void> {
    await putVerifiedBlob(this.client, { path: blobPath(sha256), sha256, size, body, what: `blob ${sha256.slice(0, 12)}…` });
  }

  async putManifest(manifest: PackageManifest): Promise<void> {
    const what = `the manifest of ${manifest.id}`;
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await this.retried(async () => {
      const response = await this.client.send('PUT', `packages/${manifest.id}.json`, what, {
        body: bytes,
        headers: { 'content-type': 'application/json' },
      });
      if (response.statusCode < 200 || response.statusCode > 299) throw await this.client.statusError(response, what, 'write');
      await response.body.dump();
    });
  }

  async readDocument(path: string): Promise<Buffer | undefined> {
    return this.retried(async () => {
      const response = await this.client.send('GET', path, path);
      if (response.statusCode === 404 || response.statusCode === 410) {
        await response.body.dump();
        return undefined;
      }
      if (response.statusCode !== 200) throw await this.client.statusError(response, path);
      if (Number(response.headers['content-length'] ?? 0) > MAX_MANIFEST_BYTES) {
        await response.body.dump();
        throw fail('httpDocumentTooLarge', { url: this.client.url(path).href, mib: MAX_MANIFEST_BYTES >> 20 });
      }
      const body = await response.body.arrayBuffer().catch((error) => Promise.reject(this.client.bodyError(error, path)));
      return Buffer.from(body);
    });
  }

  async putDocument(path: string, bytes: Buffer): Promise<void> {
    await this.retried(async () => {
      const response = await this.client.send('PUT', path, path, { body: bytes, headers: { 'content-type': 'application/json' } });
      if (response.statusCode < 200 || response.statusCode > 299) throw await this.client.statusError(response, path, 'write');
      await response.body.dump();
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function blobPath(sha256: string): string {
  return `files/${sha256.slice(0, 2)}/${sha256}`;
}

const DEFAULT_CONNECT_S = 15;
const DEFAULT_STALL_S = 30;

export const httpScheme: DistributionPointScheme = {
  name: 'http',
  protocols: ['http:', 'https:'],
  open(config) {
    const base = new URL(config.url);
    if (base.username || base.password) {
      throw fail('httpUrlHasSecret', { name: config.name, url: displayUrl(base) });
    }
    base.search = '';
    base.hash = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    const client = new HttpClient({
      name: config.name,
      base,
      credentials: resolveCredentials(config.name, config.auth),
      caFile: config.ca,
      connectTimeoutMs: (config.timeouts?.connect ?? DEFAULT_CONNECT_S) * 1000,
      stallTimeoutMs: (config.timeouts?.stall ?? DEFAULT_STALL_S) * 1000,
    });
    return new HttpDistributionPoint(config.name, base.href, client);
  },
};
