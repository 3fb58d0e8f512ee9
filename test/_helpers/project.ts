import { randomBytes } from 'node:crypto';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publishFolder, type PackageMetadata } from '../../src/library/publish.js';
import { openDistributionPoint } from '../../src/plugins/registry.js';
import { ensureBootImage } from './bootimage.js';
import { makeInTempFolder, withTempFolder } from './temp.js';
import { BOOT_ID, baseConfig } from './config.js';

export { BOOT_ID, baseConfig };

export interface TestProject {
  dir: string;
  content: string;
  cacheDir: string;
  /** Writes capmedia.config.json (plain data, no imports needed) with overrides merged over a working default. */
  writeConfig(overrides?: Record<string, unknown>): Promise<string>;
  publish(folder: string, id: string, overrides?: PackageMetadata): Promise<void>;
  cleanup(): Promise<void>;
}

/** A temp project with a file: content library holding the real boot image. */
export function createProject(options: { withBootImage?: boolean } = {}): Promise<TestProject> {
  return makeInTempFolder('capmedia-test-', (dir) => projectIn(dir, options));
}

async function projectIn(dir: string, options: { withBootImage?: boolean }): Promise<TestProject> {
  const content = join(dir, 'content');
  await mkdir(join(dir, 'staging'), { recursive: true });
  const dp = openDistributionPoint({ name: 'local', url: pathToFileURL(content).href });
  const project: TestProject = {
    dir,
    content,
    cacheDir: join(dir, 'cache'),
    async writeConfig(overrides = {}) {
      const config = { ...baseConfig(), ...overrides };
      const path = join(dir, 'capmedia.config.json');
      await writeFile(path, JSON.stringify(config, null, 2));
      return path;
    },
    async publish(folder, id, overrides = {}) {
      await publishFolder(folder, { id, ...overrides }, dp);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  if (options.withBootImage !== false) await project.publish(await ensureBootImage(), BOOT_ID);
  return project;
}

/** Publishes `id` as `files` random 16 MiB files: content large enough that a step takes seconds (time to interrupt it). */
export async function publishLargePackage(project: TestProject, id: string, files: number): Promise<void> {
  await withTempFolder('capmedia-big-', async (folder) => {
    for (let i = 0; i < files; i++) await writeFile(join(folder, `blob-${i}.bin`), randomBytes(16 * 2 ** 20));
    await project.publish(folder, id);
  });
}
