import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockOutput, lockPath } from '../../src/fs/output-lock.js';

test('a second taker waits for the first, and says so once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-lock-'));
  const output = join(dir, 'capture.iso');
  const first = await lockOutput(output);
  const told: number[] = [];
  let second = false;
  const waiting = lockOutput(output, { pollMs: 20, onWait: (pid) => told.push(pid) }).then((lock) => ((second = true), lock));
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.false(second);
  await first.release();
  await (await waiting).release();
  t.deepEqual(told, [process.pid]);
  await rm(dir, { recursive: true, force: true });
});

test('a lock whose process is gone is taken over; an abort stops the wait', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-lock-'));
  const output = join(dir, 'capture.iso');
  await writeFile(lockPath(output), '999999999\n');
  const lock = await lockOutput(output);
  t.is((await readFile(lockPath(output), 'utf8')).trim(), String(process.pid));
  const controller = new AbortController();
  const blocked = lockOutput(output, { pollMs: 20, signal: controller.signal });
  controller.abort();
  await t.throwsAsync(blocked, { message: /cancelled while waiting/ });
  await lock.release();
  await rm(dir, { recursive: true, force: true });
});
