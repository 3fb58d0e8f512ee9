import { configJsonSchema } from '../config/schema.js';
import type { Printer } from './output.js';
import type { CommonArgs } from './common.js';

/** `capmedia schema`: the config's JSON Schema, generated from the zod schema at run time (so it follows every change). */
export async function schemaCommand(_args: CommonArgs, printer: Printer): Promise<void> {
  const schema = configJsonSchema();
  printer.result(schema, () => JSON.stringify(schema, null, 2));
}
