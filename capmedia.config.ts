import { defineConfig } from 'capmedia';

/**
 * The project's own working example: a capture ISO built from the local
 * content library that ./setup.sh fills (the open linux boot image CM100004
 * and the example package CM100007).
 */
export default defineConfig({
  distributionPoints: [{ name: 'local', url: 'file:./content' }],
  bootImage: { package: 'CM100004', distributionPoint: 'local' },
  content: ['CM100007'],
  target: { arch: 'x64', drivers: ['storage', 'cdrom', 'usb', 'network', 'filesystem'] },
  taskSequence: {
    name: 'Capture Reference',
    image: { name: 'Reference', version: '1.0', description: 'Reference computer capture' },
    destination: 'disk:CAPTURE',
    after: 'poweroff',
  },
  media: {
    type: 'iso',
    file: 'out/capture.iso',
    size: 'dvd',
    label: 'Configuration Manager',
    autorun: false,
  },
});
