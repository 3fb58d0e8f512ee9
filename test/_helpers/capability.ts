import test, { type Implementation } from 'ava';
import { execa } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type SerialTest = typeof test.serial;

/**
 * Tests that need a capability of the machine (loop devices, …), probed once
 * at load time. Present: test.serial. Missing: skipped with the reason in the
 * title — except under CI=true, where the test fails, since CI runs as root
 * where the capability must be there (a green run must have checked it).
 */
export function needing(missing: string | undefined, env: NodeJS.ProcessEnv = process.env): SerialTest {
  if (missing === undefined) return test.serial;
  if (env.CI === 'true') {
    return ((title: string) =>
      test.serial(title, (t) => {
        t.fail(`CI=true but ${missing}`);
      })) as unknown as SerialTest;
  }
  return ((title: string, implementation: Implementation<[]>) =>
    test.serial.skip(`${title} — skipped: ${missing}`, implementation)) as unknown as SerialTest;
}

/** Undefined when `losetup` can attach a file here (root, loop driver); else why not. */
export async function probeLoopDevices(): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-probe-'));
  try {
    const backing = join(dir, 'probe.bin');
    await writeFile(backing, Buffer.alloc(1024 * 1024));
    const result = await execa('losetup', ['--find', '--show', backing], { reject: false, all: true });
    if (result.exitCode !== 0) return `losetup is not usable here: ${String(result.all).trim() || `exit ${result.exitCode}`}`;
    await execa('losetup', ['-d', result.stdout.trim()], { reject: false });
    return undefined;
  } catch (error) {
    return `losetup is not usable here: ${(error as Error).message}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
