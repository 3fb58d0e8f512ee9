import { CapmediaError } from '../errors.js';
import type { DistributionPointConfig } from '../config/schema.js';
import { linuxPlatform } from './boot/linux.js';
import { winpePlatform } from './boot/winpe/index.js';
import type { BootPlatform } from './boot/types.js';
import { fileScheme } from './dp/file.js';
import { httpScheme } from './dp/http/index.js';
import type { DistributionPoint, DistributionPointScheme } from './dp/types.js';
import { isoMedia } from './media/iso.js';
import { usbMedia } from './media/usb/index.js';
import type { MediaType } from './media/types.js';

/** Every plugin is registered here and nowhere else. */
const MEDIA_TYPES: readonly MediaType[] = [isoMedia, usbMedia];
const BOOT_PLATFORMS: readonly BootPlatform[] = [linuxPlatform, winpePlatform];
const DP_SCHEMES: readonly DistributionPointScheme[] = [fileScheme, httpScheme];

export function mediaType(name: string): MediaType {
  const found = MEDIA_TYPES.find((m) => m.name === name);
  if (!found) {
    throw new CapmediaError('USAGE', `Media type ${JSON.stringify(name)} is not available in this version.`, {
      hint: `Available media types: ${MEDIA_TYPES.map((m) => m.name).join(', ')}.`,
    });
  }
  return found;
}

export function bootPlatform(name: string): BootPlatform {
  const found = BOOT_PLATFORMS.find((p) => p.name === name);
  if (!found) {
    throw new CapmediaError('BOOT_IMAGE_INVALID', `Boot image platform ${JSON.stringify(name)} is not supported by this version.`, {
      hint: `Supported platforms: ${BOOT_PLATFORMS.map((p) => p.name).join(', ')}.`,
    });
  }
  return found;
}

export function openDistributionPoint(config: DistributionPointConfig): DistributionPoint {
  const protocol = new URL(config.url).protocol;
  const scheme = DP_SCHEMES.find((s) => s.protocols.includes(protocol));
  if (!scheme) {
    throw new CapmediaError('DP_UNKNOWN', `Distribution point ${config.name} uses ${protocol} URLs, which this version cannot read.`, {
      hint: `Supported URL schemes: ${DP_SCHEMES.flatMap((s) => s.protocols).join(', ')}.`,
    });
  }
  return scheme.open(config);
}
