import { readFile, readdir } from 'node:fs/promises';

/** PIDs of running QEMU processes whose command line mentions needle (e.g. a unique log path). */
export async function qemuProcessesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('qemu-system') && cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

/** The CAPMEDIA-* lines of a serial log, for readable assertion messages. */
export function markerLines(serial: string): string[] {
  return serial
    .split(/\r?\n/)
    .filter((line) => line.includes('CAPMEDIA-'))
    .map((line) => line.trim());
}
