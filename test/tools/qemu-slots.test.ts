import test from 'ava';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withQemuSlot } from '../../src/tools/qemu-slots.js';
import { tempFolder } from '../_helpers/temp.js';
import { CapmediaError } from '../../src/errors/index.js';

const ONE_SLOT = { CAPMEDIA_QEMU_SLOTS: '1' };

test('one slot: the second VM waits for the first', async (t) => {
  const slots = join(await tempFolder(t, 'capmedia-slots-'), 'slots');
  const order: string[] = [];
  let release!: () => void;
  const first = withQemuSlot(
    () => new Promise<void>((resolve) => (release = () => (order.push('first ends'), resolve()))),
    undefined,
    ONE_SLOT,
    slots,
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const second = withQemuSlot(async () => void order.push('second runs'), undefined, ONE_SLOT, slots);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.deepEqual(order, [], 'the second did not run while the first held the slot');
  release();
  await Promise.all([first, second]);
  t.deepEqual(order, ['first ends', 'second runs']);
});

test('the folder of slots removed while a VM waits (a temp cleaner): it is made again and the VM runs', async (t) => {
  const slots = join(await tempFolder(t, 'capmedia-slots-'), 'slots');
  let release!: () => void;
  const first = withQemuSlot(() => new Promise<void>((resolve) => (release = resolve)), undefined, ONE_SLOT, slots);
  await new Promise((resolve) => setTimeout(resolve, 50));
  let ran = false;
  const second = withQemuSlot(async () => void (ran = true), undefined, ONE_SLOT, slots);
  await rm(slots, { recursive: true, force: true });
  // The first VM ends after the cleaner ran; its slot is gone already.
  release();
  await first;
  const waited = await Promise.race([second.then(() => 'ran'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3000))]);
  t.is(waited, 'ran');
  t.true(ran);
});

test('a folder of slots that cannot be made is an error, not a wait forever', async (t) => {
  const file = join(await tempFolder(t, 'capmedia-slots-'), 'not-a-folder');
  await writeFile(file, '');
  await t.throwsAsync(
    withQemuSlot(async () => undefined, undefined, ONE_SLOT, join(file, 'slots')),
    { instanceOf: CapmediaError, message: /QEMU slots/ },
  );
});
