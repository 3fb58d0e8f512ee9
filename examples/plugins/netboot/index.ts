import { definePlugin, z, type MediaType } from 'capmedia';
import { folderDigest, inspectNetbootFolder } from './inspect.js';
import { packNetbootFolder } from './pack.js';
import { publishFolder } from './publish.js';
import { NETBOOT_FILES } from './layout.js';

export interface NetbootOptions {
  /** Kernel arguments every loader configuration gets, after the boot image's own (e.g. "ip=dhcp"). */
  append?: string;
}

/**
 * media.type "netboot": a folder to serve over TFTP or HTTP that boots the
 * capture task sequence over the network, without any medium.
 *
 *   plugins: [netboot()],
 *   media: { type: 'netboot', dir: 'out/netboot' },
 */
export const netboot = definePlugin((options: NetbootOptions = {}) => {
  const media: MediaType = {
    name: 'netboot',
    options: {
      /** The output folder: replaced as a whole on each build (only when empty or written by this plugin). */
      dir: z.string().min(1).optional(),
      /** Kernel arguments for this media entry, after the plugin's. */
      append: z
        .string()
        .regex(/^[^\n]*$/, 'kernel arguments on one line')
        .optional(),
    },
    output: {
      key: 'dir',
      kind: 'folder',
      help: 'network boot media need media.dir, the folder to serve over TFTP or HTTP (e.g. "out/netboot")',
      example: 'netboot',
      // Every folder this plugin writes holds it: a folder without it is the user's, never replaced.
      marker: NETBOOT_FILES.mediaInitrd,
    },
    // What changes the folder beyond the staged files, label and autorun (which the pack step keys itself).
    cacheInputs: (entry) => ({ append: [options.append, entry.append].filter(Boolean).join(' ') }),
    inspect: (path) => inspectNetbootFolder(path),
    pack: (input) => packNetbootFolder(input, [options.append, input.media?.append].filter(Boolean).join(' ') || undefined),
    publish: publishFolder,
    // A rebuild with unchanged inputs is up to date while the served folder is intact.
    outputDigest: folderDigest,
  };
  return { name: 'netboot', mediaTypes: [media] };
});

export default netboot;
