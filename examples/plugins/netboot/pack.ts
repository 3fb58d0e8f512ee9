import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CapmediaError, type KernelBoot, type PackInput, type PackResult } from 'capmedia';
import { writeInitrd, type InitrdEntry } from './cpio.js';
import { NETBOOT_FILES } from './layout.js';
import { grubConfig, ipxeScript, pxelinuxConfig } from './loaders.js';

/**
 * Writes the network boot folder: the boot image's kernel and initrd, the
 * media files as a second initrd, and iPXE / PXELINUX / GRUB configurations
 * that start the kernel with both.
 */
export async function packNetbootFolder(input: PackInput, append: string | undefined): Promise<PackResult> {
  const boot = kernelBootOf(input);
  const out = input.output;
  await mkdir(out, { recursive: true });
  await copyFile(join(input.treeDir, boot.kernel), join(out, NETBOOT_FILES.kernel));
  await copyFile(join(input.treeDir, boot.initrd), join(out, NETBOOT_FILES.initrd));
  // The loader already carries the kernel and initrd; the media's own boot loader files are of no use once it did.
  const skip = new Set([boot.kernel, boot.initrd, ...input.platform.requiredFiles]);
  const files = (await listFiles(input.treeDir)).filter((path) => !skip.has(path));
  await writeInitrd(
    join(out, NETBOOT_FILES.mediaInitrd),
    await initrdEntries(input.treeDir, files, boot.mediaInitrd.folder),
    input.sourceDateEpoch,
  );
  const loader = {
    kernel: NETBOOT_FILES.kernel,
    initrds: [NETBOOT_FILES.initrd, NETBOOT_FILES.mediaInitrd],
    cmdline: [boot.cmdline, boot.mediaInitrd.cmdline, append].filter(Boolean).join(' '),
    title: `capmedia capture (${input.label.replace(/[^\x20-\x7e]/g, '_')})`,
  };
  await writeText(out, NETBOOT_FILES.ipxe, ipxeScript(loader));
  await writeText(out, NETBOOT_FILES.pxelinux, pxelinuxConfig(loader));
  await writeText(out, NETBOOT_FILES.grub, grubConfig(loader));
  return sealFolder(out, input);
}

function kernelBootOf(input: PackInput): KernelBoot {
  const boot = input.platform.kernelBoot;
  if (boot) return boot;
  throw new CapmediaError(
    'BOOT_IMAGE_INVALID',
    `The ${input.platform.name} boot image has no kernel a network loader can start, so netboot media cannot carry it.`,
    { hint: 'Use a linux boot image (capmedia bootimage create) for media.type "netboot", or build an ISO or USB medium.' },
  );
}

/** Every file under root, relative, sorted (so the initrd is the same for the same files). */
export async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(join(root, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await listFiles(root, path)));
    else found.push(path);
  }
  return found;
}

async function initrdEntries(treeDir: string, files: readonly string[], folder: string): Promise<InitrdEntry[]> {
  const folders = new Set<string>();
  const entries: InitrdEntry[] = [];
  const addFolders = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (folders.has(dir)) continue;
      entries.push({ path: dir, type: 'directory' });
      folders.add(dir);
    }
  };
  for (const file of files) {
    const path = `${folder}/${file}`;
    addFolders(path);
    const source = join(treeDir, file);
    entries.push({ path, type: 'file', source, size: (await stat(source)).size });
  }
  return entries;
}

async function writeText(out: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(out, path)), { recursive: true });
  await writeFile(join(out, path), text);
}

/** Fixes every time to SOURCE_DATE_EPOCH and writes SHA256SUMS; its hash stands for the whole folder. */
async function sealFolder(out: string, input: PackInput): Promise<PackResult> {
  const lines: string[] = [];
  let size = 0;
  for (const path of (await listFiles(out)).filter((p) => p !== NETBOOT_FILES.sums)) {
    const { sha256, bytes } = await hashFile(join(out, path));
    lines.push(`${sha256}  ${path}`);
    size += bytes;
  }
  const sums = `${lines.join('\n')}\n`;
  await writeFile(join(out, NETBOOT_FILES.sums), sums);
  for (const path of await listFiles(out)) await utimes(join(out, path), input.sourceDateEpoch, input.sourceDateEpoch);
  return { output: out, size: size + sums.length, sha256: createHash('sha256').update(sums).digest('hex'), volumeLabel: input.label };
}

export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
