import test from 'ava';
import { debFileName, describePackages, resolveKernelPackage } from '../../src/bootimage/debs.js';
import type { BuildContext } from '../../src/bootimage/types.js';
import { CapmediaError } from '../../src/errors/index.js';
import type { Exec } from '../../src/tools/exec.js';

/** apt-cache show output as Debian 12 prints it (trimmed). */
const RECORDS: Record<string, string> = {
  'linux-image-amd64':
    'Package: linux-image-amd64\nVersion: 6.1.192-2\nDepends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)\nSHA256: aa\nArchitecture: amd64\n',
  'linux-image-6.1.0-56-amd64': 'Package: linux-image-6.1.0-56-amd64\nVersion: 6.1.192-2\nArchitecture: amd64\nSHA256: a86e\n',
  'busybox-static':
    'Package: busybox-static\nStatus: install ok installed\nVersion: 1:1.35.0-4+deb12u1+b1\nArchitecture: amd64\nSHA256: 5d1f\n',
};

function fakeContext(calls: string[][]): BuildContext {
  const exec: Exec = async (file, args) => {
    calls.push([file, ...args]);
    const names = args.filter((arg) => !arg.startsWith('-') && arg !== 'show');
    return {
      stdout: names
        .map((name) => RECORDS[name])
        .filter(Boolean)
        .join('\n'),
      stderr: '',
    };
  };
  return { exec, progress: () => undefined, cacheDir: '/nonexistent', workDir: '/nonexistent', sourceDateEpoch: 0 };
}

test('the default kernel is the versioned package linux-image-amd64 depends on', async (t) => {
  t.is(await resolveKernelPackage(fakeContext([])), 'linux-image-6.1.0-56-amd64');
});

test('describePackages asks apt-cache once for all packages and keeps their order', async (t) => {
  const calls: string[][] = [];
  const packages = await describePackages(fakeContext(calls), ['linux-image-6.1.0-56-amd64', 'busybox-static']);
  t.is(calls.length, 1);
  t.deepEqual(
    packages.map((pkg) => [pkg.name, pkg.version, pkg.sha256]),
    [
      ['linux-image-6.1.0-56-amd64', '6.1.192-2', 'a86e'],
      ['busybox-static', '1:1.35.0-4+deb12u1+b1', '5d1f'],
    ],
  );
});

test('an unknown package is a build error naming it', async (t) => {
  const error = await t.throwsAsync(describePackages(fakeContext([]), ['linux-image-9.9-cloud-amd64']), { instanceOf: CapmediaError });
  t.is(error?.code, 'BOOT_IMAGE_BUILD_FAILED');
  t.regex(error?.message ?? '', /linux-image-9\.9-cloud-amd64/);
});

test('the cached .deb name matches apt-get download, epoch colon encoded', (t) => {
  t.is(
    debFileName({ name: 'busybox-static', version: '1:1.35.0-4+deb12u1+b1', arch: 'amd64', sha256: '' }),
    'busybox-static_1%3a1.35.0-4+deb12u1+b1_amd64.deb',
  );
});
