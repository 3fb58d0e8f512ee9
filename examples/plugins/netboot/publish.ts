import { replaceOutputFolder, type PublishInput } from 'capmedia';
import { NETBOOT_FILES } from './layout.js';

/**
 * Puts the finished folder in place of the previous one, through capmedia's
 * own rule for folder media: a folder holding files this plugin did not write
 * (no capmedia-media.cpio) is refused, never wiped; the previous folder is
 * moved aside only once the new one is complete.
 */
export async function publishFolder({ temp, final, media }: PublishInput): Promise<void> {
  await replaceOutputFolder(temp, {
    path: final,
    marker: NETBOOT_FILES.mediaInitrd,
    key: `media.dir of media ${JSON.stringify(media.name)}`,
  });
}
