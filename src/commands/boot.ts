import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isIsoImage } from '../tools/image-kind.js';
import { fail } from '../errors/index.js';
import { bootUnderQemu } from '../tools/qemu.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

export interface BootArgs extends CommonArgs {
  image: string;
  firmware: 'bios' | 'uefi';
  secureBoot?: boolean;
  as?: 'cd' | 'usb';
  timeout: number;
  marker?: string;
}

/** Boots built media headless under QEMU and reports what the guest printed. */
export async function bootCommand(args: BootArgs, printer: Printer, signal: AbortSignal): Promise<void> {
  const image = resolve(args.cwd, args.image);
  const as = args.as ?? ((await isIsoOrThrow(image)) ? 'cd' : 'usb');
  const result = await bootUnderQemu({
    image,
    firmware: args.firmware,
    secureBoot: args.secureBoot,
    as,
    successMarker: args.marker ? new RegExp(args.marker) : /CAPMEDIA-TASKSEQUENCE name=.*/,
    failureMarker: /CAPMEDIA-(MEDIA-NOT-FOUND|CAPTURE-FAILED).*|Kernel panic.*/,
    timeoutMs: args.timeout * 1000,
    signal,
  });
  const markers = result.serial.split(/\r?\n/).filter((line) => line.includes('CAPMEDIA-'));
  const firmware = `${args.firmware.toUpperCase()}${args.secureBoot ? ' (Secure Boot enforced)' : ''}`;
  printer.result({ ...result, markers }, () =>
    [
      `${firmware} ${as}: ${result.outcome} after ${(result.durationMs / 1000).toFixed(1)} s`,
      ...(result.outcome === 'refused' ? [`  ${refusal(result.serial)}`] : []),
      ...markers.map((m) => `  ${m.trim()}`),
    ].join('\n'),
  );
  if (result.outcome !== 'success') {
    throw fail('bootFailed', { firmware, as, outcome: result.outcome }, { detail: result.serial.slice(-4000) });
  }
}

/** The firmware's or shim's own words, e.g. `BdsDxe: failed to load Boot0001 … : Access Denied`. */
function refusal(serial: string): string {
  return (
    serial
      .split(/\r?\n/)
      .find((line) => /Access Denied|Security Violation/.test(line))
      ?.trim() ?? 'refused by Secure Boot'
  );
}

/** Missing, a folder or unreadable: a usage error, before QEMU starts. */
async function isIsoOrThrow(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  const problem = !info ? 'does not exist' : info.isDirectory() ? 'is a folder, not an image file' : undefined;
  if (problem) throw fail('bootTargetUnusable', { path, problem });
  try {
    return await isIsoImage(path);
  } catch (error) {
    throw fail('bootTargetUnreadable', { path, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
  }
}
