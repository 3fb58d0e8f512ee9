import { copyFile, chmod, lstat, mkdir, readlink } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { CapmediaError, fail } from '../errors/index.js';
import { readElfDependencies } from './elf.js';

/**
 * Copies dynamically linked programs into the initramfs together with every
 * shared library they load, all taken from unpacked Debian packages (the
 * sysroot) — never from the build machine, whose libraries may be of another
 * release than the programs.
 */

/** Where Debian 12 packages put shared libraries, in the order ld.so searches them. */
const LIBRARY_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib64', 'usr/lib64', 'lib', 'usr/lib'];
/** One folder for every library in the initramfs: on glibc's default search path. */
export const INITRAMFS_LIBRARY_DIR = 'lib/x86_64-linux-gnu';

export interface ProgramCopy {
  /** Path inside the sysroot, e.g. usr/bin/curl. */
  source: string;
  /** Path inside the initramfs, e.g. usr/bin/curl. */
  target: string;
}

/** Installs the programs and their library closure; returns the library file names, sorted. */
export async function installPrograms(sysroot: string, programs: readonly ProgramCopy[], root: string): Promise<string[]> {
  const libraries = new Map<string, string>();
  const pending: Array<{ file: string; by: string }> = [];
  for (const program of programs) {
    const source = await resolveInRoot(sysroot, program.source);
    if (!source) throw missing(`the program ${program.source}`, 'the Debian package that ships it');
    await copyExecutable(source, join(root, program.target));
    pending.push({ file: source, by: program.source });
  }
  while (pending.length > 0) {
    const { file, by } = pending.shift()!;
    const elf = await readElfDependencies(file);
    if (elf.interpreter && !libraries.has(elf.interpreter)) {
      const source = await resolveInRoot(sysroot, elf.interpreter);
      if (!source) throw missing(`the program loader ${elf.interpreter}`, by);
      libraries.set(elf.interpreter, source);
      await copyExecutable(source, join(root, elf.interpreter));
    }
    for (const soname of elf.needed) {
      if (libraries.has(soname)) continue;
      const source = await findLibrary(sysroot, soname);
      if (!source) throw missing(`the shared library ${soname}`, by);
      libraries.set(soname, source);
      await copyExecutable(source, join(root, INITRAMFS_LIBRARY_DIR, soname));
      pending.push({ file: source, by: soname });
    }
  }
  return [...libraries.keys()].sort();
}

async function findLibrary(sysroot: string, soname: string): Promise<string | undefined> {
  for (const dir of LIBRARY_DIRS) {
    const found = await resolveInRoot(sysroot, join(dir, soname));
    if (found) return found;
  }
  return undefined;
}

/** Follows symlinks as if sysroot were /, so an absolute link never escapes to the build machine. */
export async function resolveInRoot(sysroot: string, path: string, depth = 0): Promise<string | undefined> {
  const relative = normalize(path).replace(/^\/+/, '');
  if (relative.startsWith('..') || depth > 40) return undefined;
  const full = join(sysroot, relative);
  const info = await lstat(full).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isSymbolicLink()) return info.isFile() ? full : undefined;
  const target = await readlink(full);
  return resolveInRoot(sysroot, target.startsWith('/') ? target : join(dirname(relative), target), depth + 1);
}

async function copyExecutable(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await copyFile(source, target);
  await chmod(target, 0o755);
}

function missing(what: string, neededBy: string): CapmediaError {
  return fail('agentLibraryMissing', { what, neededBy });
}
