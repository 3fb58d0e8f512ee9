import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LINUX_TEMPLATE_DIR } from '../../src/bootimage/templates.js';

/**
 * Credentials are asked on every console at once (the serial console and
 * the screen); the first answer wins and the other prompt is withdrawn.
 * FIFOs stand in for the two terminals.
 */
test('the agent asks on every console and takes the first answer', async (t) => {
  t.timeout(30_000);
  const dir = await mkdtemp(join(tmpdir(), 'capmedia-prompt-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [serial, screen] = [join(dir, 'serial'), join(dir, 'screen')];
  await execa('mkfifo', [serial, screen]);
  const script = [
    'CAPMEDIA_AGENT_LIBRARY_ONLY=1 . "$CAPMEDIA_AGENT_DIR/agent.sh"',
    'mkdir -p "$WORK"',
    'ask "Password for svc at //fs01/captures: " 1 || exit 1',
    'printf "%s" "$ANSWER" >"$RESULT"',
  ].join('\n');
  const agent = execa('busybox', ['sh', '-c', script], {
    env: {
      CAPMEDIA_AGENT_DIR: LINUX_TEMPLATE_DIR.replace(/\/$/, ''),
      CAPMEDIA_WORK_DIR: join(dir, 'work'),
      CAPMEDIA_PROMPT_TTYS: `${serial} ${screen}`,
      RESULT: join(dir, 'result'),
    },
    timeout: 20_000,
  });
  // Nobody sits at the serial console; someone types at the screen.
  t.is(await readFile(screen, 'utf8'), 'Password for svc at //fs01/captures: ');
  await writeFile(screen, 's3cret with spaces\n');
  await agent;
  t.is(await readFile(join(dir, 'result'), 'utf8'), 's3cret with spaces');
});
