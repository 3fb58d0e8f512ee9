import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { LINUX_TEMPLATE_DIR } from '../../src/bootimage/templates.js';
import { validateConfig } from '../../src/config/load.js';
import { taskSequenceDocument, taskSequenceVars } from '../../src/tasksequence/build.js';
import { baseConfig } from '../_helpers/config.js';
import { extractRegion } from '../_helpers/refdisk.js';
import { withTempFolder } from '../_helpers/temp.js';

/**
 * Runs the real capture agent scripts on the build machine with busybox,
 * against a disk image file instead of a block device: a fake /sys/block
 * and /dev describe the image as disk "vda". Destinations are a folder
 * (standing in for the mounted disk) or a real http server. Fast enough to
 * exercise the capture format on every test run; the QEMU tests prove the
 * same scripts inside the boot image.
 */

export interface HostAgentRun {
  exitCode: number;
  output: string;
}

export interface HostAgentOptions {
  disk: string;
  /** Overrides merged into the test config's taskSequence. */
  taskSequence?: Record<string, unknown>;
  /** Folder standing in for the mounted destination (disk: destinations). */
  destinationDir?: string;
  env?: Record<string, string>;
  /** Edits the generated TaskSequence.vars (e.g. to fake another version). */
  editVars?: (text: string) => string;
  /** Serial number the fake disk reports; default HOSTTEST01. */
  serial?: string;
  /** Lines of the /proc/mounts the agent sees, given the fake /dev folder; default: the real one. */
  mounts?: (devDir: string) => string;
  /** Largest file the agent may write, in KiB (ulimit -f): stands in for FAT32's 4 GiB limit. */
  fileSizeLimitKiB?: number;
}

export function runAgentOnHost(options: HostAgentOptions): Promise<HostAgentRun> {
  return withTempFolder('capmedia-host-agent-', (dir) => runAgentIn(dir, options));
}

async function runAgentIn(dir: string, options: HostAgentOptions): Promise<HostAgentRun> {
  await fakeBlockDevices(dir, options.disk, options.serial ?? 'HOSTTEST01');
  const config = validateConfig({ ...baseConfig(), taskSequence: { ...baseConfig().taskSequence, ...options.taskSequence } }, dir);
  const vars = taskSequenceVars(taskSequenceDocument(config));
  await writeFile(join(dir, 'TaskSequence.vars'), options.editVars ? options.editVars(vars) : vars);
  if (options.mounts) await writeFile(join(dir, 'mounts'), options.mounts(join(dir, 'dev')));
  const applets = join(dir, 'bin');
  await mkdir(applets);
  await execa('busybox', ['--install', '-s', applets]);
  const driver = [
    'CAPMEDIA_AGENT_LIBRARY_ONLY=1 . "$CAPMEDIA_AGENT_DIR/agent.sh"',
    // The destination is a folder here; everything after dest_open is the real code.
    'if [ -n "$HOST_DEST_DIR" ]; then dest_open() { DEST_ROOT=$HOST_DEST_DIR; DEST_DESC="the test folder"; }; fi',
    'net_up() { :; }',
    // Ignored, SIGXFSZ turns a write past the limit into EFBIG ("File too large"), as FAT32 answers at 4 GiB.
    ...(options.fileSizeLimitKiB ? [`trap '' XFSZ; ulimit -f ${options.fileSizeLimitKiB}`] : []),
    'main',
  ].join('\n');
  const result = await execa('busybox', ['sh', '-c', driver], {
    reject: false,
    all: true,
    env: {
      CAPMEDIA_AGENT_DIR: LINUX_TEMPLATE_DIR.replace(/\/$/, ''),
      CAPMEDIA_PATH: `${applets}:/usr/bin:/usr/sbin:/bin:/sbin`,
      CAPMEDIA_SYS_BLOCK: join(dir, 'sys/block'),
      CAPMEDIA_DEV_DIR: join(dir, 'dev'),
      CAPMEDIA_VARS_FILE: join(dir, 'TaskSequence.vars'),
      CAPMEDIA_TOOLS_ARCHIVE: '',
      CAPMEDIA_WORK_DIR: join(dir, 'work'),
      CAPMEDIA_DROP_CACHES: '/dev/null',
      CAPMEDIA_DISK_WAIT_SECONDS: '0',
      CAPMEDIA_PROMPT_TTYS: join(dir, 'no-console'),
      ...(options.mounts ? { CAPMEDIA_PROC_MOUNTS: join(dir, 'mounts') } : {}),
      HOST_DEST_DIR: options.destinationDir ?? '',
      ...options.env,
    },
    extendEnv: false,
    timeout: 120_000,
  });
  return { exitCode: result.exitCode ?? -1, output: String(result.all) };
}

/** /sys/block/vda with its partitions (from sfdisk --json) and /dev/vda, /dev/vdaN as files. */
async function fakeBlockDevices(dir: string, disk: string, serial: string): Promise<void> {
  const { stdout } = await execa('sfdisk', ['--json', disk], { reject: false });
  const partitions: Array<{ start: number; size: number }> = (stdout ? JSON.parse(stdout).partitiontable.partitions : undefined) ?? [];
  const { size } = await stat(disk);
  const block = join(dir, 'sys/block/vda');
  await mkdir(join(block, 'queue'), { recursive: true });
  await mkdir(join(dir, 'dev'), { recursive: true });
  await writeFile(join(block, 'size'), `${size / 512}\n`);
  await writeFile(join(block, 'queue/logical_block_size'), '512\n');
  await writeFile(join(block, 'serial'), `${serial}\n`);
  await symlink(disk, join(dir, 'dev/vda'));
  for (const [i, partition] of partitions.entries()) {
    const name = `vda${i + 1}`;
    await mkdir(join(block, name), { recursive: true });
    await writeFile(join(block, name, 'partition'), `${i + 1}\n`);
    await writeFile(join(block, name, 'start'), `${partition.start}\n`);
    await writeFile(join(block, name, 'size'), `${partition.size}\n`);
    await extractRegion(disk, partition.start * 512, partition.size * 512, join(dir, 'dev', name));
  }
}
