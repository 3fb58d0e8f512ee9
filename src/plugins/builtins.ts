import { definePlugin } from './api.js';
import { linuxPlatform } from './boot/linux.js';
import { winpePlatform } from './boot/winpe/index.js';
import { fileScheme } from './dp/file.js';
import { httpScheme } from './dp/http/index.js';
import { isoMedia } from './media/iso/index.js';
import { usbMedia } from './media/usb/index.js';

/** What capmedia brings: registered here and nowhere else, through the same API a third-party plugin uses. */
export const builtinPlugin = definePlugin({
  name: 'capmedia',
  mediaTypes: [isoMedia, usbMedia],
  bootPlatforms: [linuxPlatform, winpePlatform],
  distributionPointSchemes: [fileScheme, httpScheme],
});
