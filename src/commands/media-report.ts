import type { MediaContent } from '../lock/media-record.js';
import type { UefiChain } from '../efi/chain.js';

/** What `capmedia verify` found in one medium (an ISO, a volume of a set, or a USB image). */
export interface MediaReport {
  file: string;
  volumeId: string;
  /** ISO: the Joliet volume id, the name Windows shows for the mounted ISO. */
  jolietVolumeId?: string;
  bootBios: boolean;
  bootUefi: boolean;
  partitionTable: string;
  mediaLabel?: string;
  taskSequence?: string;
  checksum: 'ok' | 'mismatch' | 'no checksum file';
  /** Files vs the build manifest beside the output, when there is one. */
  files?: string;
  /** For a volume of a CD/DVD set: its number and the set size. */
  volume?: { number: number; of: number };
  /** SMS/data/MediaContent.json: the lock digest and the package versions the media carry. */
  content?: MediaContent;
  /** The UEFI loader and what it starts: shim-signed, signed, or unsigned, with SBAT generations. */
  uefiChain?: UefiChain;
  problems: string[];
}
