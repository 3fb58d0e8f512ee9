import type { Readable } from 'node:stream';
import type { DistributionPointConfig } from '../../config/schema.js';
import type { PackageManifest } from '../../library/manifest.js';

/** What verify distribution found for one package on one distribution point. */
export type PackageCheck =
  | { status: 'ok'; manifest: PackageManifest }
  | { status: 'missing'; reason: string }
  | { status: 'incomplete'; manifest: PackageManifest; problems: string[] }
  | { status: 'no-permission'; reason: string }
  | { status: 'unreachable'; reason: string }
  | { status: 'invalid'; reason: string };

/** A content library reached by URL (SPEC §5). */
export interface DistributionPoint {
  readonly name: string;
  /** The URL for messages: never carries credentials. */
  readonly displayUrl: string;
  /** Reads and validates packages/<id>.json. Throws PACKAGE_NOT_FOUND, NO_READ_PERMISSION, DP_UNREACHABLE or PACKAGE_INVALID. */
  readManifest(id: string): Promise<PackageManifest>;
  /**
   * Manifest present, every blob present with the right size, readable. Never throws for the classes above.
   * With `manifest` (a pinned version already read), its files are checked instead of the latest manifest's.
   */
  checkPackage(id: string, manifest?: PackageManifest): Promise<PackageCheck>;
  /**
   * A small library document (a path under the library root such as `packages/<id>/index.json`):
   * its bytes, or undefined when it is not there. Throws NO_READ_PERMISSION or DP_UNREACHABLE.
   */
  readDocument(path: string): Promise<Buffer | undefined>;
  /** Writes a small library document atomically (temp-then-rename, or one PUT). */
  putDocument(path: string, bytes: Buffer): Promise<void>;
  /** For a library on a local file system: the blob's path, so it can be copied by the kernel instead of streamed. */
  localBlobPath?(sha256: string): string;
  /** A stream of the blob's bytes from options.start (default 0) to the end; the caller verifies the hash. */
  openBlob(sha256: string, size: number, options?: BlobReadOptions): Promise<Readable>;
  hasBlob(sha256: string, size: number): Promise<boolean>;
  /**
   * Stores a blob; the body must hash to sha256. Atomic: a half-written blob is
   * never visible. One attempt: the caller retries, since only it knows whether
   * the body can be read again.
   */
  putBlob(sha256: string, size: number, body: () => Readable): Promise<void>;
  /** Writes packages/<id>.json last, so a half-published package is never visible. */
  putManifest(manifest: PackageManifest): Promise<void>;
  /** Releases connections; the distribution point is not used afterwards. */
  close?(): Promise<void>;
}

export interface BlobReadOptions {
  /** Resume: the first byte wanted (a Range request over HTTP). */
  start?: number;
  signal?: AbortSignal;
}

export interface DistributionPointScheme {
  name: string;
  /** URL protocols it serves, with the colon: "file:". */
  protocols: readonly string[];
  open(config: DistributionPointConfig): DistributionPoint;
}
