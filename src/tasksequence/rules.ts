import { showValue, type ConfigIssue } from '../config/issues.js';
import type { NormalizedConfig } from '../config/normalize.js';
import { embeddedPasswordProblem } from './credentials.js';
import { parseDestination } from './destination.js';
import { parseByteSize } from './schema.js';

/** Semantic rules for taskSequence the schema cannot express; dot paths like the rest of the config. */
type Rule = (config: NormalizedConfig) => ConfigIssue[];

const destinationParses: Rule = (config) => {
  const { destination } = config.taskSequence;
  const parsed = parseDestination(destination);
  if (parsed.ok) return [];
  return [
    {
      path: 'taskSequence.destination',
      message: `${showValue(destination)} is not allowed: it has ${parsed.problem}. Allowed: disk:<FS-LABEL>[/folder], http(s)://host/path, nfs://host/export/path or smb://host/share/path`,
    },
  ];
};

const credentialsFitDestination: Rule = (config) => {
  const { credentials, destination } = config.taskSequence;
  const parsed = parseDestination(destination);
  if (!credentials || !parsed.ok) return [];
  const kind = parsed.destination.kind;
  if (kind === 'disk' || kind === 'nfs') {
    return [
      {
        path: 'taskSequence.credentials',
        message: `credentials are not allowed for a ${kind === 'disk' ? 'disk:' : 'nfs://'} destination, which has no accounts; remove them, or use an http(s):// or smb:// destination`,
      },
    ];
  }
  return [];
};

const credentialsComplete: Rule = (config) => {
  const credentials = config.taskSequence.credentials;
  if (!credentials) return [];
  const path = 'taskSequence.credentials';
  if (credentials.passwordEnv && credentials.passwordFile)
    return [{ path, message: 'choose either passwordEnv or passwordFile, not both' }];
  if (!credentials.embed) {
    if (credentials.passwordEnv || credentials.passwordFile) {
      return [
        {
          path,
          message:
            'passwordEnv/passwordFile are only read with embed: true; without it the password is asked on the console at capture time and never written to the media',
        },
      ];
    }
    return [];
  }
  if (!credentials.username)
    return [
      { path: `${path}.username`, message: 'nothing is not allowed: embed: true captures unattended, so it needs the user name too' },
    ];
  const problem = embeddedPasswordProblem(config);
  return problem ? [{ path, message: `embed: true, but ${problem}` }] : [];
};

const selectorsUseful: Rule = (config) =>
  (config.taskSequence.steps ?? []).flatMap((step, i) => {
    const path = `taskSequence.steps[${i}]`;
    const issues: ConfigIssue[] = [];
    if (step.source !== 'auto') {
      const { minSize, maxSize } = step.source;
      if (Object.values(step.source).every((value) => value === undefined)) {
        issues.push({
          path: `${path}.source`,
          message: '{} is not allowed: an empty selector matches every disk; give path, model, serial, minSize or maxSize, or use "auto"',
        });
      }
      const [min, max] = [parseByteSize(minSize), parseByteSize(maxSize)];
      if (min !== undefined && max !== undefined && min > max) {
        issues.push({
          path: `${path}.source.minSize`,
          message: `${showValue(minSize)} is not allowed: it is larger than maxSize ${showValue(maxSize)}, so no disk could match`,
        });
      }
    }
    const partitions = step.partitions ?? [];
    const repeated = partitions.filter((n, j) => partitions.indexOf(n) !== j);
    if (repeated.length)
      issues.push({
        path: `${path}.partitions`,
        message: `${showValue(partitions)} is not allowed: partition ${repeated[0]} is listed twice`,
      });
    return issues;
  });

const FAT32_FILE_LIMIT = 4 * 1024 ** 3;

/** .swm parts are made from a WIM written in place; a pipable upload is one stream. */
const splitFits: Rule = (config) =>
  (config.taskSequence.steps ?? []).flatMap((step, i) => {
    if (step.split === undefined) return [];
    const path = `taskSequence.steps[${i}].split`;
    const bytes = parseByteSize(step.split) ?? 0;
    if (bytes < 1024 ** 2 || bytes >= FAT32_FILE_LIMIT)
      return [
        {
          path,
          message: `${showValue(step.split)} is not allowed: parts must be from 1MiB to below 4GiB (FAT32's file limit), e.g. "3800MB"`,
        },
      ];
    if (step.format === 'raw')
      return [{ path, message: `${showValue(step.split)} is not allowed with format: 'raw', which writes no WIM` }];
    const parsed = parseDestination(config.taskSequence.destination);
    if (parsed.ok && parsed.destination.kind === 'http')
      return [
        {
          path,
          message: `${showValue(step.split)} is not allowed for an http(s) destination, which receives one pipable WIM stream; split on the receiving side with capmedia image convert --split`,
        },
      ];
    return [];
  });

export const TASK_SEQUENCE_RULES: Rule[] = [destinationParses, credentialsFitDestination, credentialsComplete, selectorsUseful, splitFits];

export function checkTaskSequenceRules(config: NormalizedConfig): ConfigIssue[] {
  return TASK_SEQUENCE_RULES.flatMap((rule) => rule(config));
}
