import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../errors/index.js';
import { collectTree, writeCpioGz } from './cpio.js';
import { describePackages, fetchDeb, unpackDeb } from './debs.js';
import { libraryPackageClosure } from './depends.js';
import { installPrograms } from './libraries.js';
import { copyModules, resolveModuleClosure, uncompressedName } from './modules.js';
import { readLinuxTemplate, type LinuxTemplate } from './templates.js';
import type { BuildContext } from './types.js';
import { WIM_PROGRAMS } from './wim-tools.js';

/**
 * The capture agent: shell scripts run by busybox (in the initramfs, a few
 * KiB) and the programs busybox lacks, each from its Debian package with its
 * shared libraries (see libraries.ts). Those programs weigh ~30 MB, so they
 * travel in a second archive on the medium that the agent unpacks when it
 * runs: firmware loads the initramfs at a crawl under emulation (and on some
 * real machines), the kernel reads the medium at full speed, and a boot that
 * captures nothing never pays for them.
 */

/** What the agent runs besides busybox, and why busybox's own applet will not do. */
export const AGENT_PROGRAMS = [
  // Compresses every partition; busybox has only gzip, several times slower under emulation.
  { package: 'zstd', path: 'usr/bin/zstd' },
  // Dumps the partition table in a form that restores with one command; busybox fdisk cannot.
  { package: 'fdisk', path: 'sbin/sfdisk' },
  // Reads only the used blocks of ext2/3/4 file systems (unused ones become zeros, which compress away).
  { package: 'e2fsprogs', path: 'sbin/e2image' },
  // HTTP(S) PUT/GET/MKCOL with streaming uploads and TLS; busybox wget can only GET and POST.
  { package: 'curl', path: 'usr/bin/curl' },
  ...WIM_PROGRAMS,
] as const;

/** Data only: the Mozilla CA bundle curl needs for https destinations. */
const CA_PACKAGE = 'ca-certificates';
const CA_DIR = 'usr/share/ca-certificates/mozilla';
export const CA_BUNDLE = 'etc/ssl/certs/ca-certificates.crt';
/** Load order of the archive's kernel modules, for the agent's insmod loop. */
export const AGENT_MODULE_LIST = 'etc/capmedia/agent-modules';

/** Scripts under /capmedia in the initramfs; agent.sh is the entry point /init looks for. */
const AGENT_SCRIPTS: LinuxTemplate[] = [
  'agent.sh',
  'agent-disk.sh',
  'agent-capture.sh',
  'agent-dest.sh',
  'agent-net.sh',
  'agent-wim.sh',
  'udhcpc.sh',
];

export async function installAgentScripts(root: string): Promise<void> {
  await mkdir(join(root, 'capmedia'), { recursive: true });
  for (const script of AGENT_SCRIPTS) {
    await writeFile(join(root, 'capmedia', script), await readLinuxTemplate(script));
    await chmod(join(root, 'capmedia', script), 0o755);
  }
}

/** Fetches the agent's packages and unpacks them into one sysroot under the work folder. */
export async function fetchAgentPackages(ctx: BuildContext): Promise<string> {
  const programPackages = AGENT_PROGRAMS.map((program) => program.package);
  const names = [...(await libraryPackageClosure(ctx, programPackages)), CA_PACKAGE];
  ctx.progress(`fetching ${names.length} Debian packages for the capture agent`);
  const sysroot = join(ctx.workDir, 'agent-sysroot');
  for (const pkg of await describePackages(ctx, names)) {
    await unpackDeb(ctx, await fetchDeb(ctx, pkg), sysroot);
    ctx.signal?.throwIfAborted();
  }
  return sysroot;
}

export interface AgentArchiveInputs {
  sysroot: string;
  kernelRoot: string;
  kernelVersion: string;
  /** Extra modules (network file systems); those the initramfs already holds are left out. */
  modules: readonly string[];
  initramfsModules: readonly string[];
}

/** Writes the tools archive (programs, libraries, CA bundle, extra modules) as a gzip'd cpio. */
export async function buildAgentArchive(ctx: BuildContext, inputs: AgentArchiveInputs, outFile: string): Promise<void> {
  const root = join(ctx.workDir, 'agent-tree');
  const programs = AGENT_PROGRAMS.map((program) => ({ source: program.path, target: `usr/bin/${program.path.split('/').at(-1)}` }));
  const libraries = await installPrograms(inputs.sysroot, programs, root);
  await writeCaBundle(inputs.sysroot, join(root, CA_BUNDLE));
  // glibc resolves names through these; udhcpc.sh writes /etc/resolv.conf.
  await writeFile(join(root, 'etc/nsswitch.conf'), 'hosts: files dns\n');
  await writeFile(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  const present = new Set(inputs.initramfsModules);
  const closure = await resolveModuleClosure(ctx, inputs.kernelRoot, inputs.kernelVersion, inputs.modules);
  const extra = closure.filter((file) => !present.has(uncompressedName(file)));
  const { loadOrder } = await copyModules(ctx, { kernelRoot: inputs.kernelRoot, kernelVersion: inputs.kernelVersion, files: extra }, root);
  await mkdir(join(root, 'etc/capmedia'), { recursive: true });
  await writeFile(join(root, AGENT_MODULE_LIST), loadOrder.map((file) => `${file}\n`).join(''));
  ctx.progress(`capture tools: ${programs.length} programs, ${libraries.length} shared libraries, ${loadOrder.length} modules`);
  await writeCpioGz(await collectTree(root), outFile, ctx.sourceDateEpoch);
}

/** update-ca-certificates builds this file at install time; the .deb holds only the parts. */
async function writeCaBundle(sysroot: string, target: string): Promise<void> {
  const names = (await readdir(join(sysroot, CA_DIR)).catch(() => [] as string[])).filter((name) => name.endsWith('.crt')).sort();
  if (names.length === 0) {
    throw fail('caCertificatesMissing', { pkg: CA_PACKAGE, folder: CA_DIR });
  }
  const parts = await Promise.all(names.map((name) => readFile(join(sysroot, CA_DIR, name), 'utf8')));
  await mkdir(join(target, '..'), { recursive: true });
  await writeFile(target, parts.map((text) => (text.endsWith('\n') ? text : `${text}\n`)).join(''));
}
