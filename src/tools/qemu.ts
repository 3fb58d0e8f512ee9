import { spawn, type ChildProcess } from 'node:child_process';
import { withQemuSlot } from './qemu-slots.js';
import { access, copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CapmediaError, ioError, fail } from '../errors/index.js';
import { toolPackage } from './packages.js';

/**
 * Boots media headless under QEMU (TCG) and watches the serial console for a
 * marker. QEMU is always killed by PID when the run ends, whatever the outcome,
 * and dies with us if we are killed (PR_SET_PDEATHSIG through setpriv).
 */

export interface BootRunOptions {
  /** ISO or raw disk image. */
  image: string;
  firmware: 'bios' | 'uefi';
  /**
   * UEFI only: Secure Boot enforced with Microsoft's keys enrolled (OVMF's
   * secboot build, SMM and a secure flash, as on a Windows 11 PC).
   */
  secureBoot?: boolean;
  /** cd: IDE CD-ROM; usb: usb-storage on qemu-xhci, first in boot order. */
  as: 'cd' | 'usb';
  successMarker: string | RegExp;
  /** Ends the run as soon as it appears. */
  failureMarker?: string | RegExp;
  timeoutMs: number;
  /** Default 512. */
  memoryMiB?: number;
  /** Appended to QEMU's arguments, e.g. another -drive for a capture test. */
  extraArgs?: string[];
  /** Where to keep the serial console; default a temp file removed afterwards. */
  serialLog?: string;
  signal?: AbortSignal;
}

/** A direct kernel boot (-kernel/-initrd/-append), skipping firmware boot loaders. */
export interface KernelBootOptions extends Omit<BootRunOptions, 'image' | 'as' | 'firmware'> {
  kernel: string;
  initrd: string;
  append: string;
  firmware?: 'bios' | 'uefi';
}

/** refused: the firmware or shim would not start an unsigned (or wrongly signed) loader under Secure Boot. */
export type BootOutcome = 'success' | 'failure' | 'timeout' | 'no-bootable-device' | 'refused' | 'exited';

export interface BootRunResult {
  outcome: BootOutcome;
  serial: string;
  durationMs: number;
}

const QEMU = 'qemu-system-x86_64';
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
/** Secure Boot: firmware that keeps its variables in SMM, and a variable store with Microsoft's KEK/db and SB on. */
const OVMF_CODE_SECBOOT = '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd';
const OVMF_VARS_MS = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd';
const SETPRIV = '/usr/bin/setpriv';
const POLL_MS = 200;

/** OVMF refusing an unsigned loader ("Access Denied"), shim refusing an unsigned GRUB ("Security Violation"). */
const REFUSED = [/failed to load Boot\w+ .*: (Access Denied|Security Violation)/, /Verification failed: .*Security Violation/];

/**
 * What firmware prints when nothing on the media is bootable: SeaBIOS on its
 * debug console, OVMF on the serial port (then it starts its shell).
 */
const NO_BOOTABLE_DEVICE = [
  /No bootable device/,
  /No bootable option or device was found/,
  /BdsDxe: starting Boot[0-9A-F]+ "EFI Internal Shell"/,
];

export async function bootUnderQemu(options: BootRunOptions): Promise<BootRunResult> {
  await requireFile(options.image, 'boot image');
  if (options.secureBoot && options.firmware !== 'uefi') {
    throw fail('secureBootNeedsUefi', {});
  }
  const firmware = options.secureBoot ? 'uefi-secure-boot' : options.firmware;
  return runQemu(options, (dir) => firmwareArgs(firmware, dir).then((fw) => [...fw, ...mediaArgs(options.image, options.as)]));
}

export async function bootKernelUnderQemu(options: KernelBootOptions): Promise<BootRunResult> {
  await requireFile(options.kernel, 'kernel');
  await requireFile(options.initrd, 'initrd');
  const kernelArgs = ['-kernel', options.kernel, '-initrd', options.initrd, '-append', options.append];
  return runQemu(options, (dir) => firmwareArgs(options.firmware ?? 'bios', dir).then((fw) => [...fw, ...kernelArgs]));
}

/** A network boot: SeaBIOS starts the NIC's iPXE ROM, which loads bootfile by TFTP from QEMU's built-in DHCP/TFTP server. */
export interface NetworkBootOptions extends Omit<BootRunOptions, 'image' | 'as' | 'firmware'> {
  /** The folder QEMU's TFTP server serves. */
  tftpDir: string;
  /** Path of the first file to load, relative to tftpDir (an iPXE script or pxelinux.0). */
  bootfile: string;
}

export async function bootOverNetworkUnderQemu(options: NetworkBootOptions): Promise<BootRunResult> {
  await requireFile(join(options.tftpDir, options.bootfile), 'network boot file');
  const netdev = `user,id=net0,tftp=${qemuOptionValue(options.tftpDir)},bootfile=${qemuOptionValue(options.bootfile)}`;
  return runQemu(options, async () => ['-netdev', netdev, '-device', 'virtio-net-pci,netdev=net0,bootindex=1', '-boot', 'n']);
}

/** QEMU's -drive splits on commas; a literal comma is written twice. */
export function qemuOptionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

export function mediaArgs(image: string, as: 'cd' | 'usb'): string[] {
  const file = qemuOptionValue(image);
  if (as === 'cd') return ['-drive', `file=${file},media=cdrom,if=ide,readonly=on,format=raw`, '-boot', 'd'];
  return [
    '-device',
    'qemu-xhci,id=xhci',
    '-drive',
    `if=none,id=stick,format=raw,readonly=on,file=${file}`,
    '-device',
    'usb-storage,bus=xhci.0,drive=stick,bootindex=1',
  ];
}

/** The machine every run shares; -no-reboot turns the guest's poweroff/reboot/panic into QEMU exiting. */
export function baseArgs(serialLog: string, debugLog: string, memoryMiB: number): string[] {
  return [
    '-machine',
    'q35',
    '-accel',
    'tcg',
    '-m',
    String(memoryMiB),
    '-display',
    'none',
    '-no-reboot',
    '-nodefaults',
    '-monitor',
    'none',
    '-serial',
    `file:${serialLog}`,
    '-chardev',
    `file,id=firmwarelog,path=${qemuOptionValue(debugLog)}`,
    '-device',
    'isa-debugcon,iobase=0x402,chardev=firmwarelog',
  ];
}

/**
 * UEFI gets a fresh copy of the variable store: a stored boot order would leak
 * between runs. Secure Boot needs SMM and a flash only SMM may write, or the
 * guest could turn it off.
 */
async function firmwareArgs(firmware: 'bios' | 'uefi' | 'uefi-secure-boot', runDir: string): Promise<string[]> {
  if (firmware === 'bios') return [];
  const secure = firmware === 'uefi-secure-boot';
  const [code, template] = secure ? [OVMF_CODE_SECBOOT, OVMF_VARS_MS] : [OVMF_CODE, OVMF_VARS];
  await requireFile(code, secure ? 'Secure Boot UEFI firmware' : 'UEFI firmware', 'ovmf');
  await requireFile(template, 'UEFI variable store', 'ovmf');
  const vars = join(runDir, 'OVMF_VARS.fd');
  await copyFile(template, vars).catch((error) => {
    throw ioError('copy the UEFI variable store to', vars, error);
  });
  return [
    ...(secure ? ['-machine', 'q35,smm=on', '-global', 'driver=cfi.pflash01,property=secure,value=on'] : []),
    '-drive',
    `if=pflash,format=raw,unit=0,readonly=on,file=${qemuOptionValue(code)}`,
    '-drive',
    `if=pflash,format=raw,unit=1,file=${qemuOptionValue(vars)}`,
  ];
}

type CommonOptions = Omit<BootRunOptions, 'image' | 'as' | 'firmware'>;

async function runQemu(options: CommonOptions, machineArgs: (runDir: string) => Promise<string[]>): Promise<BootRunResult> {
  return withQemuSlot(() => runQemuNow(options, machineArgs), options.signal);
}

async function runQemuNow(options: CommonOptions, machineArgs: (runDir: string) => Promise<string[]>): Promise<BootRunResult> {
  if (options.signal?.aborted) throw fail('qemuCancelled', {});
  const runDir = await mkdtemp(join(tmpdir(), 'capmedia-qemu-'));
  try {
    const serialLog = options.serialLog ?? join(runDir, 'serial.log');
    const debugLog = join(runDir, 'firmware.log');
    // An old log must never satisfy the marker of this run.
    await writeFile(serialLog, '').catch((error) => {
      throw ioError('create the serial log', serialLog, error);
    });
    const args = [...baseArgs(serialLog, debugLog, options.memoryMiB ?? 512), ...(await machineArgs(runDir)), ...(options.extraArgs ?? [])];
    const qemu = await startQemu(args);
    return await watch(qemu, { ...options, serialLog, debugLog });
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}

interface RunningQemu {
  child: ChildProcess;
  exited: Promise<{ code: number | null }>;
  stderr: () => string;
}

async function startQemu(args: string[]): Promise<RunningQemu> {
  // setpriv execs QEMU in place (same PID) after asking the kernel to kill it when we die.
  const useSetpriv = await access(SETPRIV).then(
    () => true,
    () => false,
  );
  const [file, fileArgs] = useSetpriv ? [SETPRIV, ['--pdeathsig', 'KILL', '--', QEMU, ...args]] : [QEMU, args];
  const child = spawn(file, fileArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-16_384);
  });
  const exited = new Promise<{ code: number | null }>((resolve) => child.once('close', (code) => resolve({ code })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(spawnError(error)));
  });
  return { child, exited, stderr: () => stderr };
}

function spawnError(error: Error): CapmediaError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return fail('programMissing', { program: QEMU, pkg: toolPackage(QEMU) }, { cause: error });
  }
  return fail('qemuStartFailed', { program: QEMU, reason: error.message }, { cause: error });
}

interface WatchOptions extends CommonOptions {
  serialLog: string;
  debugLog: string;
}

/** Polls the logs until a verdict; QEMU is killed on every way out. */
async function watch(qemu: RunningQemu, options: WatchOptions): Promise<BootRunResult> {
  const started = Date.now();
  const killOnExit = () => qemu.child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let exitCode: number | null | undefined;
  void qemu.exited.then(({ code }) => (exitCode = code));
  try {
    for (;;) {
      const done = exitCode !== undefined;
      const serial = await readLog(options.serialLog);
      const verdict = classify(serial, await readLog(options.debugLog), options);
      const result = (outcome: BootOutcome) => ({ outcome, serial, durationMs: Date.now() - started });
      if (verdict) return result(verdict);
      if (done) return exitedResult(qemu, exitCode ?? null, result('exited'));
      if (Date.now() - started >= options.timeoutMs) return result('timeout');
      if (options.signal?.aborted) throw fail('qemuCancelled', {});
      await Promise.race([delay(POLL_MS), qemu.exited]);
    }
  } finally {
    qemu.child.kill('SIGKILL');
    await qemu.exited;
    process.removeListener('exit', killOnExit);
  }
}

/** QEMU exiting non-zero before any verdict means it never ran the guest (bad image, bad option). */
function exitedResult(qemu: RunningQemu, code: number | null, result: BootRunResult): BootRunResult {
  if (code === 0 || code === null) return result;
  const stderr = qemu.stderr().trim();
  // 127: setpriv found no QEMU to exec.
  if (code === 127) throw fail('programMissing', { program: QEMU, pkg: toolPackage(QEMU) }, { detail: stderr });
  throw fail(
    'qemuFailed',
    { program: QEMU, exitCode: String(code), lastLine: stderr.split('\n').at(-1) ?? 'no message' },
    { detail: `${stderr}\n--- serial ---\n${result.serial.slice(-4000)}` },
  );
}

/** The earliest of success / failure / no-bootable-device in the logs, if any. */
export function classify(
  serial: string,
  firmwareLog: string,
  markers: Pick<BootRunOptions, 'successMarker' | 'failureMarker'>,
): BootOutcome | undefined {
  const candidates: Array<[BootOutcome, number]> = [
    ['success', indexOf(serial, markers.successMarker)],
    ['failure', markers.failureMarker === undefined ? -1 : indexOf(serial, markers.failureMarker)],
    ['refused', firstIndex(serial, REFUSED)],
    ['no-bootable-device', firstIndex(serial, NO_BOOTABLE_DEVICE)],
  ];
  const seen = candidates.filter(([, index]) => index >= 0).sort((a, b) => a[1] - b[1]);
  if (seen.length > 0) return seen[0][0];
  return NO_BOOTABLE_DEVICE.some((pattern) => pattern.test(firmwareLog)) ? 'no-bootable-device' : undefined;
}

function firstIndex(text: string, patterns: readonly RegExp[]): number {
  const found = patterns.map((pattern) => text.search(pattern)).filter((index) => index >= 0);
  return found.length > 0 ? Math.min(...found) : -1;
}

function indexOf(text: string, marker: string | RegExp): number {
  return typeof marker === 'string' ? text.indexOf(marker) : text.search(marker);
}

async function readLog(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

async function requireFile(path: string, what: string, debianPackage?: string): Promise<void> {
  if (
    await stat(path).then(
      (info) => info.isFile(),
      () => false,
    )
  )
    return;
  if (debianPackage) {
    throw fail('qemuFileMissing', { what, path, debianPackage });
  }
  throw fail('qemuFileNotFile', { what, path });
}
