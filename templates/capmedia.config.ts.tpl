import { defineConfig } from 'capmedia';

// capmedia config: see the README for every key.
export default defineConfig({
  distributionPoints: [{ name: 'local', url: 'file:./content' }],
  bootImage: { package: 'CM100004' },
  content: [],
  target: { arch: 'x64' },
  taskSequence: {
    image: { name: 'Reference', version: '1.0' },
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
