/**
 * How an ISO boots, as data: the platform says what the firmware must find
 * (El Torito entries, the EFI system partition, the system area for USB
 * sticks); src/plugins/media/iso/boot-records.ts turns it into xorriso
 * arguments and makes the ESP image. Paths are media paths ("/" separated,
 * relative to the media root, as the file list spells them).
 */
export interface IsoBoot {
  /** El Torito boot entries in catalog order: the first is the default entry. */
  entries: readonly ElToritoEntry[];
  /** The boot catalog: its path in the ISO tree; hidden from the directory tree (oscdimg writes none). */
  catalog: { path: string; hidden?: boolean };
  /** An EFI system partition image capmedia makes from media files. */
  esp?: EspImage;
  /** What a BIOS booting the ISO as a disk (USB stick) finds in the first 32 KiB. */
  systemArea?: SystemArea;
}

/** One El Torito entry, always no-emulation (the only mode today's loaders use). */
export type ElToritoEntry =
  | {
      platform: 'bios';
      /** The boot image, a media file (isolinux.bin, etfsboot.com). */
      image: string;
      /** 512-byte sectors the BIOS loads (ISOLINUX: 4, etfsboot.com: 8). */
      loadSectors: number;
      /** ISOLINUX wants its own location patched into the image (-boot-info-table); the blob itself is never written. */
      bootInfoTable?: boolean;
    }
  | {
      platform: 'uefi';
      /** The FAT image the firmware reads: a media file (efisys.bin), or the ESP this description makes. */
      image: string | { esp: true };
    };

/** A FAT image holding media files at the same paths, for UEFI firmware reading the ISO as a CD or as a disk. */
export interface EspImage {
  /** FAT volume label (at most 11 characters). */
  label: string;
  /** The media files copied into it, at their media paths. */
  files: readonly string[];
  /**
   * appended: after the ISO data as MBR partition `partition` (type 0xEF), archiso's layout, so a USB
   * stick shows an EFI system partition; inTree: a file of the ISO tree at `path`.
   */
  placement: { appended: { partition: number } } | { inTree: { path: string } };
}

export interface SystemArea {
  /** isohybrid MBR boot code (ISOLINUX's isohdpfx.bin), a media file: the ISO written to a stick boots by BIOS. */
  hybridMbr: string;
  /** Where the first partition starts, in 2048-byte blocks (16: a mountable ISO 9660 partition after the system area). */
  partitionOffset?: number;
  /** A GPT beside the MBR naming the in-tree ESP (-isohybrid-gpt-basdat); only with an ESP placed inTree. */
  gptEsp?: boolean;
}

export interface IsoBootInput {
  /** Every file of the media (boot image files at the root): the description may only name these. */
  files: ReadonlyArray<{ target: string }>;
  /** Reports what the user should know about the boot setup (e.g. which UEFI image was chosen). */
  notice?(message: string): void;
}
