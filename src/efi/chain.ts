import { parsePe, sbatEntries, sbatLevel, type PeImage, type SbatLevel } from './pe.js';
import { signersOf } from './signers.js';

/**
 * Which UEFI boot chain a medium carries, read from its files: shim (Secure
 * Boot through Microsoft's UEFI CA) followed by a loader shim verifies, a
 * loader signed on its own (WinPE's bootmgfw), or an unsigned one that needs
 * Secure Boot off.
 */

/** The removable-media loader the firmware starts, and what shim starts next. */
export const UEFI_LOADER = 'EFI/BOOT/BOOTX64.EFI';
export const SHIM_NEXT_LOADER = 'EFI/BOOT/grubx64.efi';
/** Debian's signed GRUB reads only this file; without it, it searches other disks for /.disk/info. */
export const DEBIAN_GRUB_CFG = 'EFI/debian/grub.cfg';

export interface EfiBinary {
  path: string;
  /** e.g. "shim 16.1", "grub2 2.06-13+deb12u2": the last SBAT entry's package and version. */
  product?: string;
  /** CNs of the authorities that issued the signing certificates (what firmware or shim must trust). */
  signedBy: string[];
  /** SBAT generations, "component,generation" (the "sbat" header line left out). */
  sbat: string[];
}

export interface UefiChain {
  kind: 'shim' | 'signed' | 'unsigned';
  loader: EfiBinary;
  /** What shim starts (grubx64.efi); absent unless kind is shim. */
  next?: EfiBinary;
  /** The revocations shim applies to the machine's SbatLevel variable. */
  sbatLevel?: SbatLevel;
  problems: string[];
}

/** Reads a medium's file; undefined when it is not there. */
export type ReadMediaFile = (path: string) => Promise<Buffer | undefined>;

/** undefined when the medium has no UEFI loader (or it is not a PE image). */
export async function describeUefiChain(read: ReadMediaFile): Promise<UefiChain | undefined> {
  const loaderImage = await readPe(read, UEFI_LOADER);
  if (!loaderImage) return undefined;
  const loader = describeBinary(UEFI_LOADER, loaderImage);
  if (!loader.signedBy.length) return { kind: 'unsigned', loader, problems: [] };
  if (!loader.sbat.some((entry) => entry.startsWith('shim,'))) return { kind: 'signed', loader, problems: [] };
  const problems: string[] = [];
  const nextImage = await readPe(read, SHIM_NEXT_LOADER);
  const next = nextImage ? describeBinary(SHIM_NEXT_LOADER, nextImage) : undefined;
  if (!next) problems.push(`shim without ${SHIM_NEXT_LOADER}: it has nothing to start`);
  else if (!next.signedBy.length) problems.push(`${SHIM_NEXT_LOADER} is not signed: shim refuses it under Secure Boot`);
  if (next?.sbat.some((entry) => entry.startsWith('grub.debian,')) && !(await read(DEBIAN_GRUB_CFG))) {
    problems.push(`${DEBIAN_GRUB_CFG} missing: the signed GRUB would search other disks for a configuration`);
  }
  return { kind: 'shim', loader, next, sbatLevel: sbatLevel(loaderImage), problems };
}

async function readPe(read: ReadMediaFile, path: string): Promise<PeImage | undefined> {
  const bytes = await read(path);
  return bytes ? parsePe(bytes) : undefined;
}

export function describeBinary(path: string, image: PeImage): EfiBinary {
  const entries = sbatEntries(image);
  const last = entries.at(-1);
  const issuers = image.signatures.flatMap(signersOf).map((signer) => signer.issuer);
  return {
    path,
    product: last && last.component !== 'sbat' ? `${last.package} ${last.version}` : undefined,
    signedBy: [...new Set(issuers)],
    sbat: entries.filter((entry) => entry.component !== 'sbat').map((entry) => `${entry.component},${entry.generation}`),
  };
}

/** The lines `capmedia verify` prints about the chain. */
export function uefiChainLines(chain: UefiChain | undefined): string[] {
  if (!chain) return [];
  const lines = [`  UEFI chain:      ${chainSummary(chain)}`];
  const sbat = [chain.loader, chain.next].filter((b): b is EfiBinary => b !== undefined && b.sbat.length > 0);
  if (sbat.length) lines.push(`  SBAT:            ${sbat.map((b) => `${b.product ?? b.path}: ${b.sbat.join(' ')}`).join(' · ')}`);
  if (chain.sbatLevel) {
    const oneLine = (policy: string) => policy.split('\n').join(' ');
    lines.push(`  shim SbatLevel:  ${oneLine(chain.sbatLevel.previous)} (latest: ${oneLine(chain.sbatLevel.latest)})`);
  }
  return lines;
}

function chainSummary(chain: UefiChain): string {
  const binary = (b: EfiBinary) => `${b.product ?? b.path} ${b.signedBy.length ? `signed by ${b.signedBy.join(' + ')}` : 'UNSIGNED'}`;
  if (chain.kind === 'shim') {
    return `Secure Boot: shim-signed (${binary(chain.loader)} → ${chain.next ? binary(chain.next) : `no ${SHIM_NEXT_LOADER}`})`;
  }
  if (chain.kind === 'signed') return `Secure Boot: ${binary(chain.loader)}`;
  return `no Secure Boot: ${UEFI_LOADER} is unsigned (firmware with Secure Boot on refuses it)`;
}
