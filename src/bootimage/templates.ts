import { readFile } from 'node:fs/promises';
import { ioError, fail } from '../errors/index.js';
import { TEMPLATES_DIR } from '../templates.js';

/** templates/linux/ of the package, found the one way that also holds in the bundled CLI (one folder, chunks). */
export const LINUX_TEMPLATE_DIR = `${TEMPLATES_DIR}linux/`;

export type LinuxTemplate =
  | 'init.sh'
  | 'grub.cfg'
  | 'isolinux.cfg'
  | 'syslinux.cfg'
  | 'agent.sh'
  | 'agent-disk.sh'
  | 'agent-dest.sh'
  | 'agent-capture.sh'
  | 'agent-net.sh'
  | 'agent-wim.sh'
  | 'udhcpc.sh';

export async function readLinuxTemplate(name: LinuxTemplate): Promise<string> {
  const path = LINUX_TEMPLATE_DIR + name;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw ioError('read the boot image template', path, error);
  }
}

/**
 * Replaces @NAME@ placeholders. A placeholder left over means the template and
 * the code disagree, which would ship a broken boot menu, so it is an error.
 */
export function renderTemplate(name: string, text: string, values: Record<string, string>): string {
  const rendered = text.replace(/@([A-Z_]+)@/g, (match, key: string) => values[key] ?? match);
  const left = rendered.match(/@[A-Z_]+@/);
  if (left) {
    throw fail('templatePlaceholderUnknown', { name, left: left[0] });
  }
  return rendered;
}
