import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { XORRISO_NATIVE_CHARSET } from '../../tools/charset.js';
import type { Exec } from '../../tools/exec.js';
import { MEDIA_PATHS } from '../../media-paths.js';

interface ManifestFile {
  path: string;
  size: number;
}

/** Files capmedia writes itself at pack time; not in the content manifest. */
const GENERATED = new Set(['MediaLabel.txt', 'autorun.inf', 'isolinux/boot.cat', MEDIA_PATHS.mediaSet]);

/**
 * The files the build manifest beside the image says this volume holds; undefined when there is no
 * manifest (or it is not one capmedia wrote). Volume k of a set (`x-2.iso`) is described by `x.iso.manifest.json`.
 */
export async function expectedFiles(iso: string): Promise<ManifestFile[] | undefined> {
  const candidates = new Set([`${iso}.manifest.json`]);
  const setMember = /-\d+(\.[^./]+)$/.exec(iso);
  if (setMember) candidates.add(`${iso.slice(0, setMember.index)}${setMember[1]}.manifest.json`);
  for (const path of candidates) {
    const volume = (await readManifest(path))?.volumes?.find((v) => v?.file === basename(iso));
    if (Array.isArray(volume?.files)) return volume.files;
  }
  return undefined;
}

interface BuildManifest {
  volumes?: Array<{ file: string; files?: ManifestFile[] } | null>;
}

/** A missing or unparsable manifest is the same as none: verify then checks the media on its own. */
async function readManifest(path: string): Promise<BuildManifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as BuildManifest).volumes)
      ? (parsed as BuildManifest)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Paths and sizes on the ISO, read without mounting it. */
export async function isoFiles(exec: Exec, iso: string): Promise<Map<string, number>> {
  const { stdout } = await exec('xorriso', [
    '-no_rc',
    ...XORRISO_NATIVE_CHARSET,
    '-indev',
    iso,
    '-find',
    '/',
    '-type',
    'f',
    '-exec',
    'lsdl',
  ]);
  const files = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^\S+\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\w+\s+\d+\s+\d+\s+'\/(.*)'$/.exec(line.trim());
    if (match) files.set(match[2].replace(/'"'"'/g, "'"), Number(match[1]));
  }
  return files;
}

/** Every manifest file present with its size; nothing on the media that neither the manifest nor capmedia put there. */
export function compareFiles(expected: readonly ManifestFile[], actual: Map<string, number>): string[] {
  const problems: string[] = [];
  for (const file of expected) {
    const size = actual.get(file.path);
    if (size === undefined) problems.push(`missing ${file.path}`);
    else if (size !== file.size) problems.push(`${file.path} has ${size} bytes, the manifest says ${file.size}`);
  }
  const known = new Set(expected.map((f) => f.path));
  for (const path of actual.keys()) if (!known.has(path) && !GENERATED.has(path)) problems.push(`unexpected file ${path}`);
  return problems;
}
