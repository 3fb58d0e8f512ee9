import test from 'ava';
import { mkdtemp, open, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapmediaError } from '../../src/errors/index.js';
import { openImageSource } from '../../src/image/source.js';
import { verifyImage } from '../../src/image/verify.js';
import { runCli } from '../_helpers/cli.js';
import { capturedReference, copyImage } from './_captured.js';

let work: string;
let image: string;

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'capmedia-image-verify-'));
  ({ image } = await capturedReference(work));
});
test.after.always(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function flipByte(file: string, at: number): Promise<void> {
  const handle = await open(file, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, at);
  byte[0] ^= 0xff;
  await handle.write(byte, 0, 1, at);
  await handle.close();
}

test('capmedia image verify accepts an intact image and exits 0', async (t) => {
  const result = await runCli(['image', 'verify', image], { cwd: work });
  t.is(result.exitCode, 0, result.all);
  t.regex(result.stdout, /image: {3}Reference 1\.0 \(captured .* from \/dev\/vda/);
  t.regex(result.stdout, /verified: 4 parts match the manifest/);
  const json = await runCli(['image', 'verify', join(image, 'manifest.json'), '--json'], { cwd: work });
  t.true(JSON.parse(json.stdout).ok);
});

test('one flipped byte in a part fails verification naming the part and the hashes (exit 1)', async (t) => {
  const copy = await copyImage(image, work);
  await flipByte(join(copy, 'part1.img.zst'), 5000);
  const report = await verifyImage(await openImageSource(copy));
  t.false(report.ok);
  t.deepEqual(
    report.parts.filter((part) => !part.ok).map((part) => part.file),
    ['part1.img.zst'],
  );
  t.regex(report.parts.find((part) => !part.ok)!.problem!, /has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}/);
  const result = await runCli(['image', 'verify', copy], { cwd: work });
  t.is(result.exitCode, 1);
  t.regex(result.stdout, /FAILED {2}part1\.img\.zst: has sha256/);
  t.regex(result.stderr, /does not match its manifest: part1\.img\.zst/);
});

test('a truncated or missing part fails', async (t) => {
  const copy = await copyImage(image, work);
  await truncate(join(copy, 'part2.img.zst'), 1000);
  await unlink(join(copy, 'head.img.zst'));
  const report = await verifyImage(await openImageSource(copy), { quick: true });
  const problems = Object.fromEntries(report.parts.filter((part) => !part.ok).map((part) => [part.file, part.problem]));
  t.regex(problems['part2.img.zst'] ?? '', /is 1000 bytes, the manifest says \d+/);
  t.regex(problems['head.img.zst'] ?? '', /cannot be read/);
});

test('a part that decompresses to another size than the manifest says fails', async (t) => {
  const copy = await copyImage(image, work);
  const manifest = JSON.parse(await readFile(join(copy, 'manifest.json'), 'utf8'));
  manifest.parts[2].rawBytes -= 1;
  await writeFile(join(copy, 'manifest.json'), JSON.stringify(manifest));
  const report = await verifyImage(await openImageSource(copy));
  t.regex(report.parts[2].problem ?? '', /decompresses to \d+ bytes, the manifest says \d+/);
});

test('an image without manifest (an interrupted capture) is not an image', async (t) => {
  const copy = await copyImage(image, work);
  await unlink(join(copy, 'manifest.json'));
  const error = await t.throwsAsync(verifyImage(await openImageSource(copy)), { instanceOf: CapmediaError });
  t.is(error?.code, 'IMAGE_INVALID');
  t.regex(error?.message ?? '', /has no readable manifest\.json .* not a complete image/);
  const result = await runCli(['image', 'verify', copy], { cwd: work });
  t.is(result.exitCode, 1);
});

test('a manifest whose part names climb out of the folder is refused', async (t) => {
  const copy = await copyImage(image, work);
  const manifest = JSON.parse(await readFile(join(copy, 'manifest.json'), 'utf8'));
  manifest.parts[1].file = '../../etc/passwd';
  await writeFile(join(copy, 'manifest.json'), JSON.stringify(manifest));
  const error = await t.throwsAsync(verifyImage(await openImageSource(copy)), { instanceOf: CapmediaError });
  t.regex(error?.message ?? '', /parts\[1\]\.file: "\.\.\/\.\.\/etc\/passwd" is not allowed: expected a plain file name/);
});
