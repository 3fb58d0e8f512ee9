import { open, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CapmediaError, ioError, fail } from '../errors/index.js';
import { isProcessAlive } from '../tools/process.js';
import { trackPartial, untrackPartial } from './partials.js';

/** Beside the output, so two builds that write the same file meet on the same lock, whatever their configs. */
export function lockPath(output: string): string {
  return join(dirname(output), `.${basename(output)}.capmedia-lock`);
}

export interface OutputLock {
  release(): Promise<void>;
}

export interface LockOptions {
  signal?: AbortSignal;
  /** Told once when another build holds the lock, before waiting. */
  onWait?: (holder: number) => void;
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Takes the output's lock: O_EXCL creation with our pid inside. A lock whose
 * process is gone (kill -9, power loss) is taken over; a live holder is waited for.
 */
export async function lockOutput(output: string, options: LockOptions = {}): Promise<OutputLock> {
  const path = lockPath(output);
  const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw cancelledWhileWaiting(output);
    const taken = await tryCreate(path);
    // A second Ctrl-C ends the process at once: the lock goes with the partial files.
    if (taken) {
      trackPartial(path);
      return { release: () => releaseLock(path) };
    }
    const holder = await holderOf(path);
    if (holder === 'stale') {
      // Stale: remove it and race for it again (O_EXCL decides who wins).
      await rm(path, { force: true });
      continue;
    }
    if (!told && holder !== 'starting') options.onWait?.(holder);
    told ||= holder !== 'starting';
    if (Date.now() > deadline) {
      throw fail('outputLocked', { holder: String(holder), output, path });
    }
    await sleep(options.pollMs ?? 250, options.signal);
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError('create the lock', path, error);
  }
}

/** The live process holding the lock, 'starting' while its pid is being written, or 'stale'. */
async function holderOf(path: string): Promise<number | 'starting' | 'stale'> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return 'stale';
  const pid = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(pid) || pid <= 0) {
    // Created but not yet written: held for a moment; left like that by a crash: stale.
    const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0);
    return age < 10_000 ? 'starting' : 'stale';
  }
  return isProcessAlive(pid) ? pid : 'stale';
}

/** Whether another live build holds the lock of this output (its own partials are then not stale). */
export async function lockedByOther(output: string): Promise<boolean> {
  const holder = await holderOf(lockPath(output));
  return holder !== 'stale' && holder !== process.pid;
}

async function releaseLock(path: string): Promise<void> {
  untrackPartial(path);
  if ((await holderOf(path)) === process.pid) await rm(path, { force: true });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

function cancelledWhileWaiting(output: string): CapmediaError {
  return fail('outputLockWaitCancelled', { output });
}
