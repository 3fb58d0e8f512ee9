import { cp, mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeReferenceDisk, type ReferenceDisk } from '../_helpers/refdisk.js';
import { runAgentOnHost } from '../capture/_host-agent.js';

/** A reference disk and a real image of it, made by the capture agent on the host (busybox). */
export async function capturedReference(work: string): Promise<{ reference: ReferenceDisk; image: string }> {
  const reference = await makeReferenceDisk(work, { randomMiB: 2 });
  const dest = await mkdtemp(join(work, 'dest-'));
  const run = await runAgentOnHost({ disk: reference.image, destinationDir: dest });
  if (run.exitCode !== 0) throw new Error(run.output);
  return { reference, image: join(dest, (await readdir(dest))[0]) };
}

/** A private copy of the image folder a test may damage. */
export async function copyImage(image: string, work: string): Promise<string> {
  const copy = join(await mkdtemp(join(work, 'copy-')), 'image');
  await cp(image, copy, { recursive: true });
  return copy;
}
