/** A working config as plain data; tests override what they exercise. */
export const BOOT_ID = 'CM100004';

export function baseConfig(): Record<string, any> {
  return {
    distributionPoints: [{ name: 'local', url: 'file:./content' }],
    bootImage: { package: BOOT_ID },
    content: [],
    target: { arch: 'x64' },
    taskSequence: {
      name: 'Capture Test Reference',
      image: { name: 'Reference', version: '1.0' },
      destination: 'disk:CAPTURE',
      after: 'poweroff',
    },
    media: { type: 'iso', file: 'out/capture.iso', size: 'dvd', label: 'Configuration Manager', staging: './staging' },
    cache: { dir: './cache' },
  };
}
