import type { NormalizedMedia } from '../../src/config/normalize.js';

/** A usb media entry as the config loader would produce it. */
export function usbMediaEntry(overrides: Partial<NormalizedMedia> = {}): NormalizedMedia {
  return {
    name: 'default',
    type: 'usb',
    device: '/dev/sdb',
    output: '/dev/sdb',
    label: 'Configuration Manager',
    autorun: false,
    format: true,
    splitLargeFiles: false,
    capacity: Number.POSITIVE_INFINITY,
    sizeSpec: 'unlimited',
    staging: '/tmp',
    ...overrides,
  };
}
