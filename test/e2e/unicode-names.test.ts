import test from 'ava';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { runCli } from '../_helpers/cli.js';
import { createProject, type TestProject } from '../_helpers/project.js';
import { inspectMedia } from '../../src/commands/verify.js';
import { sha256File } from '../../src/library/hash.js';

/**
 * Issue 17's acceptance: Swedish, German and French names reach Windows'
 * readers intact from a build made with LANG=C, read back by tools that are
 * not capmedia's own calls (xorriso's Joliet tree, mtools in a UTF-8 locale,
 * blkid for the volume name); a build made with LANG=C.UTF-8 is byte-identical.
 */
const CONTENT_ID = 'CM100017';
const LABEL = 'Média Site 7 Lång';
const LONG_NAME = `${'Anteckningar från mötet om nästa års förändringar i Göteborg och Malmö, med bilagor '.slice(0, 86)}.txt`;
const NAMES = [
  'Åsa Öberg/Dokument/anteckning med långt namn.txt',
  `Åsa Öberg/${LONG_NAME}`,
  'Größe/Größe und Maße.txt',
  'Crème brûlée/recette.txt',
  'plain/README.TXT',
];
const EPOCH = '1700000000';
/** Readers run in a UTF-8 locale, as a Windows admin's tools read UTF-16 names. */
const READER_ENV = { LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', MTOOLS_SKIP_CHECK: '1' };

let project: TestProject;
let source: string;
test.before(async () => {
  project = await createProject();
  source = join(project.dir, 'pkg/names');
  for (const [i, name] of NAMES.entries()) {
    await mkdir(join(source, name, '..'), { recursive: true });
    await writeFile(join(source, name), `${name}\n${'x'.repeat(i * 1000)}\n`);
  }
  await project.publish(source, CONTENT_ID, { name: 'Unicode names' });
});
test.after.always(async () => project?.cleanup());

async function build(tag: string, env: Record<string, string>) {
  const common = { size: 'dvd', label: LABEL, staging: `./staging-${tag}` };
  await project.writeConfig({
    content: [CONTENT_ID],
    cache: { dir: `./cache-${tag}` },
    media: [
      { name: 'iso', type: 'iso', file: `out/${tag}/names.iso`, ...common },
      { name: 'usb', type: 'usb', device: `out/${tag}/usb-names.img`, ...common },
    ],
  });
  return runCli(['build'], { cwd: project.dir, env: { SOURCE_DATE_EPOCH: EPOCH, ...env } });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

async function assertSameFiles(t: import('ava').ExecutionContext, extracted: string, what: string) {
  t.deepEqual((await filesUnder(extracted)).sort(), [...NAMES].sort(), `${what}: every name exact`);
  for (const name of NAMES) t.true((await readFile(join(extracted, name))).equals(await readFile(join(source, name))), `${what}: ${name}`);
}

test.serial(
  'names survive a LANG=C build: the Joliet tree and FAT long names read back exact; LANG=C.UTF-8 gives the same bytes',
  async (t) => {
    const c = await build('c', { LANG: 'C', LC_ALL: 'C' });
    t.is(c.exitCode, 0, c.all);
    t.regex(c.all, /Windows shows the mounted ISO as "Média Site 7 Lån"/);
    const iso = join(project.dir, 'out/c/names.iso');
    const img = join(project.dir, 'out/c/usb-names.img');

    // Joliet, what Windows and 7-Zip read: xorriso told to ignore Rock Ridge.
    const joliet = (
      await execa('xorriso', ['-no_rc', '-read_fs', 'norock', '-indev', iso, '-find', `/SMS/PKG/${CONTENT_ID}`, '-type', 'f'], {
        env: READER_ENV,
      })
    ).stdout;
    for (const name of NAMES) t.true(joliet.includes(`'/SMS/PKG/${CONTENT_ID}/${name}'`), `Joliet lacks ${name}:\n${joliet}`);
    const fromIso = await mkdtemp(join(project.dir, 'joliet-'));
    await execa(
      'xorriso',
      ['-no_rc', '-read_fs', 'norock', '-osirrox', 'on', '-indev', iso, '-extract', `/SMS/PKG/${CONTENT_ID}`, join(fromIso, 'x')],
      { env: READER_ENV },
    );
    await assertSameFiles(t, join(fromIso, 'x'), 'Joliet');
    const label = await execa('blkid', ['-p', '-o', 'value', '-s', 'LABEL', iso], { env: READER_ENV });
    t.is(label.stdout, 'Média Site 7 Lån', 'the Joliet volume id: the first 16 characters, UCS-2');

    // FAT long names, read by mtools in a UTF-8 locale.
    const fat = (await execa('mdir', ['-i', `${img}@@1M`, '-/', '-b', `::/SMS/PKG/${CONTENT_ID}`], { env: READER_ENV })).stdout;
    for (const name of NAMES) t.true(fat.includes(`::/SMS/PKG/${CONTENT_ID}/${name}`), `FAT lacks ${name}:\n${fat}`);
    // 8.3 names come from the right long name, in code page 850 (the same bytes under any build locale, checked below).
    const shortNames = (await execa('mdir', ['-i', `${img}@@1M`, `::/SMS/PKG/${CONTENT_ID}`], { env: READER_ENV })).stdout;
    for (const short of [/^ÅSAÖBE~1\s+<DIR>\s.*Åsa Öberg$/m, /^GRÖßE\s+<DIR>\s.*Größe$/m, /^CRÈMEB~1\s+<DIR>\s.*Crème brûlée$/m]) {
      t.regex(shortNames, short);
    }
    const fromFat = await mkdtemp(join(project.dir, 'fat-'));
    await execa('mcopy', ['-s', '-n', '-i', `${img}@@1M`, `::/SMS/PKG/${CONTENT_ID}`, fromFat], { env: READER_ENV });
    await assertSameFiles(t, join(fromFat, CONTENT_ID), 'FAT');

    for (const output of [iso, img]) {
      const report = await inspectMedia(output);
      t.deepEqual(report.problems, [], `capmedia verify ${output}`);
    }
    t.is((await inspectMedia(iso)).jolietVolumeId, 'Média Site 7 Lån');

    const utf8 = await build('utf8', { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
    t.is(utf8.exitCode, 0, utf8.all);
    for (const name of ['names.iso', 'usb-names.img']) {
      const [a, b] = await Promise.all(['c', 'utf8'].map((tag) => sha256File(join(project.dir, 'out', tag, name))));
      t.is(a.sha256, b.sha256, `${name}: LANG=C and LANG=C.UTF-8 builds are byte-identical`);
    }
  },
);

test.serial('names FAT or Joliet cannot hold are refused at resolve, naming the package and the file; nothing is written', async (t) => {
  const bad = join(project.dir, 'pkg/bad');
  await mkdir(join(bad, 'Rapport'), { recursive: true });
  await writeFile(join(bad, 'Rapport', 'Q1: intäkter?.txt'), 'x');
  await writeFile(join(bad, 'Rapport', 'slut.'), 'x');
  await project.publish(bad, 'CM1000BN', { name: 'Bad names' });
  await project.writeConfig({
    content: ['CM1000BN'],
    media: { type: 'usb', device: 'out/bad/names.img', label: 'Names', staging: './staging-bad' },
  });
  const result = await runCli(['build'], { cwd: project.dir });
  t.is(result.exitCode, 1, result.all);
  t.regex(result.stderr, /package CM1000BN: Rapport\/Q1: intäkter\?\.txt: .*has the character ":"/);
  t.regex(result.stderr, /package CM1000BN: Rapport\/slut\.: .*ends with a dot or a space/);
  t.regex(result.stderr, /FAT32/);
  await t.throwsAsync(readdir(join(project.dir, 'out/bad')), undefined, 'no output was written');
});
