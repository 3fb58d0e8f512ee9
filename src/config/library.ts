import { importModule } from '../code-cache/import-module.js';

/**
 * What a config's `import … from 'capmedia'` gets: the running program's own library, so a plugin's CapmediaError and
 * zod schemas are ours even where capmedia is installed globally and not in the project. The CLI names its library
 * (in the bundle, the bundle's own copy: loading dist/index.js beside it would load every module a second time); a
 * program embedding capmedia gets the package's index.
 */
let loader: () => Promise<unknown> = () => importModule(new URL('../index.js', import.meta.url).href);

export function provideLibrary(load: () => Promise<unknown>): void {
  loader = load;
}

export function loadLibrary(): Promise<unknown> {
  return loader();
}
