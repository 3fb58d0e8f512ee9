import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../tools/process.js';

/**
 * A staging folder names the build using it, so `capmedia clean` (from any
 * config sharing media.staging) leaves a running build's folder alone.
 */
const OWNER_FILE = '.capmedia-owner';

export async function claimStaging(stagingDir: string): Promise<void> {
  await mkdir(stagingDir, { recursive: true });
  await writeFile(join(stagingDir, OWNER_FILE), `${process.pid}\n`);
}

/** True while the process that claimed the folder runs; a folder without a record (crashed mid-claim, older capmedia) is stale. */
export async function stagingInUse(stagingDir: string): Promise<boolean> {
  const text = await readFile(join(stagingDir, OWNER_FILE), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
}
