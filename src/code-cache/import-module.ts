/**
 * `import()` of what is not in the CLI bundle: a user's .js/.mjs config, a built-in module a cached config names.
 * Called from the bundle, it is a file of its own (scripts/bundle-cli.mjs): Node 20 loses a vm.Script's dynamic import
 * handler when V8 takes the script's code from a code cache, so an `import()` inside the bundle would fail on every run
 * after the first. Here Node's own loader compiles the call.
 */
export function importModule(specifier: string): Promise<unknown> {
  return import(specifier);
}
