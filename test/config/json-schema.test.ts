import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, runCli } from '../_helpers/cli.js';
import { createProject } from '../_helpers/project.js';

test('capmedia schema prints the JSON Schema generated from the config schema, equal to the shipped schema/capmedia.schema.json', async (t) => {
  const result = await runCli(['schema'], { cwd: REPO });
  t.is(result.exitCode, 0, result.all);
  const shipped = await readFile(join(REPO, 'schema/capmedia.schema.json'), 'utf8');
  t.deepEqual(JSON.parse(result.stdout), JSON.parse(shipped), 'regenerate with `npm run schema` after changing the config schema');
  const schema = JSON.parse(result.stdout);
  t.is(schema.additionalProperties, false, 'strict: an unknown key is an error in the editor too');
  t.truthy(schema.properties.$schema);
  t.truthy(schema.properties.distributionPoints);
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
  t.true(pkg.files.includes('schema'), 'the package ships it');
});

test('a .json or .yaml config may name its schema with $schema', async (t) => {
  const project = await createProject({ withBootImage: false });
  t.teardown(project.cleanup);
  const json = JSON.parse(await readFile(await project.writeConfig(), 'utf8'));
  await writeFile(
    join(project.dir, 'capmedia.config.json'),
    JSON.stringify({ $schema: './node_modules/capmedia/schema/capmedia.schema.json', ...json }),
  );
  const fromJson = await runCli(['matrix'], { cwd: project.dir });
  t.is(fromJson.exitCode, 0, fromJson.all);
  const yamlFile = join(project.dir, 'media.yaml');
  await writeFile(
    yamlFile,
    [
      '$schema: https://unpkg.com/capmedia/schema/capmedia.schema.json',
      'distributionPoints: [{ name: local, url: "file:./content" }]',
      'bootImage: { package: CM100004 }',
      'taskSequence: { image: { name: Reference }, destination: "disk:CAPTURE" }',
      'media: { type: iso, file: out/capture.iso }',
      '',
    ].join('\n'),
  );
  const fromYaml = await runCli(['matrix', '--config', 'media.yaml', '--json'], { cwd: project.dir });
  t.is(fromYaml.exitCode, 0, fromYaml.all);
  t.is(JSON.parse(fromYaml.stdout).include[0].output, 'out/capture.iso');
});
