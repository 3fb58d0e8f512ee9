import { z } from 'zod';
import { parseMediaSize } from '../../../config/size.js';

/** media.type "usb": the keys only USB media have. */
export const usbOptions = {
  /** A disk image path or a removable drive (/dev/sdX), or a mounted FAT32 folder with format: false. */
  device: z.string().min(1).optional(),
  /** Size of the disk image (default: content plus headroom). */
  imageSize: z
    .union([z.number(), z.string()])
    .refine((value) => Number.isFinite(parseMediaSize(value) ?? Number.NaN), {
      message: 'a byte count or a string such as "512MiB" or "2GB"',
    })
    .optional(),
  /** "mbr" (default; boots UEFI and BIOS) or "gpt" (an EFI system partition; BIOS through the legacy-bootable flag). */
  partitionTable: z.enum(['mbr', 'gpt']).optional(),
};
