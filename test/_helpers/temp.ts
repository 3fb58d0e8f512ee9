import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const remove = (dir: string) => rm(dir, { recursive: true, force: true });

/** A temp folder removed when the test is over, passed or failed (children it awaited have exited by then). */
export async function tempFolder(t: Pick<ExecutionContext, 'teardown'>, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => remove(dir));
  return dir;
}

/** A temp folder only for the length of `use` (a source to publish from, say): removed after it, whatever the outcome. */
export async function withTempFolder<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await use(dir);
  } finally {
    await remove(dir);
  }
}

/** A new temp folder for `make` to set a fixture up in: the fixture's cleanup removes it, or this does when `make` fails. */
export async function makeInTempFolder<T>(prefix: string, make: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await make(dir);
  } catch (error) {
    await remove(dir);
    throw error;
  }
}
