import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isProcessAlive } from './process.js';
import { fail, ioError } from '../errors/index.js';

/**
 * Machine-wide VM slots: under TCG two VMs on two cores only slow each other
 * past their timeouts. CAPMEDIA_QEMU_SLOTS=N lets at most N capmedia VMs run
 * at once (across processes); unset means no limit.
 */
const SLOTS_DIR = join(tmpdir(), 'capmedia-qemu-slots');

async function tryTake(slot: string): Promise<boolean> {
  try {
    await mkdir(slot);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A temp-folder cleaner may remove the folder of slots while this process waits: make it again.
    if (code === 'ENOENT') {
      await mkdir(dirname(slot), { recursive: true });
      return tryTake(slot);
    }
    // Anything but a slot that is taken would otherwise be waited for forever.
    if (code !== 'EEXIST') throw ioError('take a QEMU slot in', dirname(slot), error);
    const owner = Number(await readFile(join(slot, 'pid'), 'utf8').catch(() => '0'));
    // A slot whose owner died (kill -9) is free again; a slot still being created has no pid yet.
    if (owner > 0 && !isProcessAlive(owner)) await rm(slot, { recursive: true, force: true });
    return false;
  }
  await writeFile(join(slot, 'pid'), String(process.pid));
  return true;
}

export async function withQemuSlot<T>(
  work: () => Promise<T>,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
  slotsDir = SLOTS_DIR,
): Promise<T> {
  const slots = Number(env.CAPMEDIA_QEMU_SLOTS);
  if (!Number.isInteger(slots) || slots < 1) return work();
  await mkdir(slotsDir, { recursive: true }).catch((error: unknown) =>
    Promise.reject(ioError('make the folder of QEMU slots', slotsDir, error)),
  );
  for (;;) {
    for (let i = 0; i < slots; i++) {
      const slot = join(slotsDir, `slot-${i}`);
      if (await tryTake(slot)) {
        try {
          return await work();
        } finally {
          await rm(slot, { recursive: true, force: true });
        }
      }
    }
    // Cancelled while another QEMU held the slot: CANCELLED like any other stop, not the signal's DOMException.
    if (signal?.aborted) throw fail('qemuCancelled', {});
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
