import { z } from 'zod';

/** One problem in the config, addressed by its dot path. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A value under a key like these is never echoed: config errors end up in CI logs. */
const SECRET_KEY = /pass|secret|token|credential|apikey|api_key/i;

export function dotPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/** Turns schema issues into sentences naming the key, the bad value and what is allowed. */
export function describeSchemaIssues(issues: readonly z.core.$ZodIssue[], input: unknown, schema?: z.ZodType): ConfigIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'invalid_union' && issue.errors.length) {
      const branch = closestBranch(issue.errors);
      if (branch)
        return describeSchemaIssues(
          branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })),
          input,
          schema,
        );
    }
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: dotPath([...issue.path, key]),
        message: `unknown key (value ${SECRET_KEY.test(key) ? 'hidden: it looks like a secret' : showValue(valueAt(input, [...issue.path, key]))}); allowed keys here: ${allowedKeysHint(schema, issue.path, input)}`,
      }));
    }
    const value = valueAt(input, issue.path);
    const secret = issue.path.some((key) => typeof key === 'string' && SECRET_KEY.test(key));
    return [
      {
        path: dotPath(issue.path) || '(top level)',
        message: `${secret ? '(value hidden)' : showValue(value)} is not allowed: ${allowed(issue, value)}`,
      },
    ];
  });
}

/** A union's branch whose type matched (its problems are deeper than the value itself), so messages stay specific. */
function closestBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const typed = branches.filter((issues) => !issues.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  return typed.length === 1 ? typed[0] : undefined;
}

function allowedKeysHint(schema: z.ZodType | undefined, path: readonly PropertyKey[], input: unknown): string {
  const keys = schema ? knownKeys(schema, path, input) : undefined;
  return keys?.length ? keys.join(', ') : 'see the config reference in the README';
}

/** Walks the schema (and the input beside it) along a path to list an object's keys (zod's issue does not carry them). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[], input: unknown): string[] | undefined {
  const node = unwrap(schema);
  if (node instanceof z.ZodUnion) {
    for (const option of byDiscriminator(node.options as z.ZodType[], path.length === 0 ? input : undefined)) {
      const keys = knownKeys(option, path, input);
      if (keys) return keys;
    }
    return undefined;
  }
  // Keys typed unknown belong to another media type: accepted only so a rule can name their type.
  if (path.length === 0) return node instanceof z.ZodObject ? Object.keys(node.shape).filter((k) => !isUnknown(node.shape[k])) : undefined;
  const [head, ...rest] = path;
  const inner = valueAt(input, [head]);
  if (node instanceof z.ZodArray && typeof head === 'number') return knownKeys(node.element as z.ZodType, rest, inner);
  if (node instanceof z.ZodObject && typeof head === 'string' && head in node.shape)
    return knownKeys(node.shape[head] as z.ZodType, rest, inner);
  return undefined;
}

/** For a media entry: the option whose `type` is the entry's type first. */
function byDiscriminator(options: z.ZodType[], value: unknown): z.ZodType[] {
  const type = valueAt(value, ['type']);
  const matches = (option: z.ZodType) => {
    const node = unwrap(option);
    const literal = node instanceof z.ZodObject ? node.shape.type : undefined;
    return literal instanceof z.ZodLiteral && literal.values.has(type as never);
  };
  return [...options.filter(matches), ...options.filter((o) => !matches(o))];
}

function isUnknown(schema: z.ZodType): boolean {
  return unwrap(schema) instanceof z.ZodUnknown;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let node: z.ZodType = schema;
  while (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodNullable) node = node.unwrap() as z.ZodType;
  return node;
}

function allowed(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => showValue(v)).join(', ')}`;
    case 'invalid_type':
      return value === undefined ? `required (${issue.expected})` : `expected ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `needs at least ${issue.minimum} entr${issue.minimum === 1 ? 'y' : 'ies'}`
        : `too short or too small (minimum ${issue.minimum})`;
    case 'too_big':
      return `too long or too large (maximum ${issue.maximum})`;
    case 'invalid_format':
    case 'custom':
      return `expected ${issue.message.replace(/^Invalid string: /, '')}`;
    case 'invalid_union':
      // A media entry whose type no registered media type has.
      if ('options' in issue && Array.isArray(issue.options)) return `expected one of ${issue.options.map((v) => showValue(v)).join(', ')}`;
      return 'expected a single media object or a list of media objects';
    default:
      return issue.message;
  }
}
