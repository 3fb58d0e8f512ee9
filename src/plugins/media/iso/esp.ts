import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from '../../../errors/index.js';
import type { Exec } from '../../../tools/exec.js';
import { writeEspImage } from '../../../tools/fat.js';
import { sha256File } from '../../../library/hash.js';
import type { EspImage } from '../../boot/types.js';
import type { DerivedCache } from '../types.js';

/** Bumped when writeEspImage changes what it writes for the same inputs. */
const ESP_FORMAT = 1;

export interface EspInput {
  /** Where each ESP file's bytes are on disk. */
  source: (target: string) => string;
  /** The sha256 of a file whose source is a verified blob; other sources are hashed here. */
  knownSha256: (target: string, source: string) => string | undefined;
  workDir: string;
  exec: Exec;
  env: Record<string, string>;
  derived?: DerivedCache;
}

/**
 * The ESP image a boot description asks for. With a derived cache it is
 * made once and reused by every estimate, volume and later build whose boot
 * files, label, tools and environment are the same (a label-only rebuild);
 * without one it is made in workDir.
 */
export async function espImageFor(esp: EspImage, input: EspInput): Promise<string> {
  const files = esp.files.map((target) => ({ source: input.source(target), target }));
  const scratch = join(input.workDir, 'efiboot.img');
  const make = (output: string) => writeEspImage({ output, label: esp.label, files, exec: input.exec, env: input.env });
  if (!input.derived) {
    await make(scratch);
    return scratch;
  }
  const preimage = { format: ESP_FORMAT, label: esp.label, files: await espFileIdentities(files, input), env: input.env };
  return input.derived.file({ kind: 'esp', preimage, tools: ['mkfs.fat', 'mcopy'], make, scratch });
}

/**
 * What of each file reaches the image: its bytes (sha256, size), its place, and
 * its modification time, which `mcopy -m` keeps (to FAT's 2 seconds).
 */
async function espFileIdentities(files: ReadonlyArray<{ source: string; target: string }>, input: EspInput) {
  return Promise.all(
    files.map(async ({ source, target }) => {
      const info = await stat(source).catch((error) => {
        throw ioError('read', source, error);
      });
      const sha256 = input.knownSha256(target, source) ?? (await sha256File(source)).sha256;
      return [target, sha256, info.size, Math.floor(info.mtimeMs / 1000)];
    }),
  );
}
