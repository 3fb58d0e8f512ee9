import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEBIAN_GRUB_CFG,
  SHIM_NEXT_LOADER,
  UEFI_LOADER,
  describeUefiChain,
  uefiChainLines,
  type ReadMediaFile,
} from '../../src/efi/chain.js';
import { parsePe, parseSbatCsv } from '../../src/efi/pe.js';
import { ensureBootImage } from '../_helpers/bootimage.js';
import { withoutSignature } from './_pe.js';

/** Reads the boot image folder, with some files replaced or removed. */
async function reader(overrides: Record<string, Buffer | undefined> = {}): Promise<ReadMediaFile> {
  const dir = await ensureBootImage();
  return async (path) => (path in overrides ? overrides[path] : readFile(join(dir, path)).catch(() => undefined));
}

test("the boot image's chain: Microsoft-signed shim → Debian-signed GRUB, with SBAT generations and shim's SbatLevel", async (t) => {
  const chain = await describeUefiChain(await reader());
  t.is(chain?.kind, 'shim');
  t.deepEqual(chain?.problems, []);
  t.true(chain?.loader.signedBy.includes('Microsoft Corporation UEFI CA 2011'), chain?.loader.signedBy.join(', '));
  t.regex(chain?.loader.product ?? '', /^shim \d+/);
  t.true(chain?.loader.sbat.some((entry) => /^shim,\d+$/.test(entry)));
  t.deepEqual(chain?.next?.signedBy, ['Debian Secure Boot CA']);
  t.regex(chain?.next?.product ?? '', /^grub2 2\./);
  t.true(chain?.next?.sbat.some((entry) => /^grub,\d+$/.test(entry)));
  t.true(chain?.next?.sbat.some((entry) => /^grub\.debian,\d+$/.test(entry)));
  t.regex(chain?.sbatLevel?.previous ?? '', /^sbat,1,\d{10}\n/);
  const lines = uefiChainLines(chain).join('\n');
  t.regex(
    lines,
    /UEFI chain: +Secure Boot: shim-signed \(shim .* signed by Microsoft Corporation UEFI CA 2011.* → grub2 .* signed by Debian Secure Boot CA\)/,
  );
  t.regex(lines, /SBAT: +shim [^:]+: shim,\d+ .*· grub2 [^:]+: grub,\d+ grub\.debian,\d+/);
  t.regex(lines, /shim SbatLevel: +sbat,1,\d+ /);
});

test('an unsigned loader is reported as needing Secure Boot off, not as shim', async (t) => {
  const shim = await readFile(join(await ensureBootImage(), UEFI_LOADER));
  const chain = await describeUefiChain(await reader({ [UEFI_LOADER]: withoutSignature(shim) }));
  t.is(chain?.kind, 'unsigned');
  t.deepEqual(chain?.loader.signedBy, []);
  t.regex(uefiChainLines(chain).join('\n'), /no Secure Boot: EFI\/BOOT\/BOOTX64\.EFI is unsigned/);
});

test('shim with an unsigned GRUB, without GRUB, or without EFI/debian/grub.cfg is a problem', async (t) => {
  const grub = await readFile(join(await ensureBootImage(), SHIM_NEXT_LOADER));
  const unsignedGrub = await describeUefiChain(await reader({ [SHIM_NEXT_LOADER]: withoutSignature(grub) }));
  t.deepEqual(unsignedGrub?.problems, [`${SHIM_NEXT_LOADER} is not signed: shim refuses it under Secure Boot`]);
  const noGrub = await describeUefiChain(await reader({ [SHIM_NEXT_LOADER]: undefined }));
  t.deepEqual(noGrub?.problems, [`shim without ${SHIM_NEXT_LOADER}: it has nothing to start`]);
  const noCfg = await describeUefiChain(await reader({ [DEBIAN_GRUB_CFG]: undefined }));
  t.deepEqual(noCfg?.problems, [`${DEBIAN_GRUB_CFG} missing: the signed GRUB would search other disks for a configuration`]);
});

test('no loader, or one that is not a PE image, gives no chain', async (t) => {
  t.is(await describeUefiChain(await reader({ [UEFI_LOADER]: undefined })), undefined);
  t.is(await describeUefiChain(await reader({ [UEFI_LOADER]: Buffer.from('MZ not really a PE image, just text') })), undefined);
  t.is(parsePe(Buffer.alloc(10)), undefined);
});

test('SBAT CSV: component and generation per line; blank and malformed lines are ignored', (t) => {
  const entries = parseSbatCsv('sbat,1,SBAT Version,sbat,1,https://x\ngrub,5,Free Software Foundation,grub,2.06,https://y\n\nnot a line\n');
  t.deepEqual(
    entries.map((e) => [e.component, e.generation, e.version]),
    [
      ['sbat', 1, '1'],
      ['grub', 5, '2.06'],
    ],
  );
});
