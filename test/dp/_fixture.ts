import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BOOT_ID, createProject, type TestProject } from '../_helpers/project.js';
import { startNginx, type Nginx } from '../_helpers/nginx.js';

export const USER = 'svc-media';

/**
 * A test project whose file: library holds the real boot image, plus nginx
 * serving copies of that library: good, one blob missing, one blob
 * corrupted, empty, behind Basic auth, behind a Bearer token, 403, and a
 * WebDAV location that accepts PUT.
 */
export interface HttpFixture {
  project: TestProject;
  nginx: Nginx;
  /** Secrets made at random per run, so a grep for them finds only leaks. */
  password: string;
  token: string;
  /** The boot image file whose blob is missing or corrupted in those libraries. */
  victim: { path: string; sha256: string; size: number };
  blob(library: string, sha256: string): string;
  cleanup(): Promise<void>;
}

export async function createHttpFixture(): Promise<HttpFixture> {
  const project = await createProject();
  const root = join(project.dir, 'served');
  const blob = (library: string, sha256: string) => join(library, 'files', sha256.slice(0, 2), sha256);
  const manifest = JSON.parse(await readFile(join(project.content, `packages/${BOOT_ID}.json`), 'utf8'));
  const victim = manifest.files.find((f: { path: string }) => f.path === 'boot/vmlinuz');
  for (const name of ['good', 'missing', 'corrupt']) await cp(project.content, join(root, name), { recursive: true });
  await rm(blob(join(root, 'missing'), victim.sha256));
  const bytes = await readFile(blob(join(root, 'corrupt'), victim.sha256));
  bytes[bytes.length >> 1] ^= 0xff;
  await writeFile(blob(join(root, 'corrupt'), victim.sha256), bytes);
  for (const name of ['empty', 'dav']) await mkdir(join(root, name), { recursive: true });
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const token = `tok-${randomBytes(12).toString('hex')}`;
  const basic = { user: USER, password };
  const nginx = await startNginx([
    { path: '/good/', root: join(root, 'good') },
    { path: '/missing/', root: join(root, 'missing') },
    { path: '/corrupt/', root: join(root, 'corrupt') },
    { path: '/empty/', root: join(root, 'empty') },
    { path: '/secure/', root: join(root, 'good'), basic },
    { path: '/token/', root: join(root, 'good'), bearer: token },
    { path: '/forbidden/', status: 403 },
    { path: '/dav/', root: join(root, 'dav'), dav: true, basic },
  ]);
  return {
    project,
    nginx,
    password,
    token,
    victim,
    blob,
    cleanup: async () => {
      await nginx.stop();
      await project.cleanup();
    },
  };
}
