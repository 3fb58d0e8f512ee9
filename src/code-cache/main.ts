#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { launchBundle } from './launch.js';

// The `capmedia` command: scripts/bundle-cli.mjs bundles this file into dist/cli.js, beside the CLI's own bundle.
launchBundle(fileURLToPath(new URL('./cli-bundle.cjs', import.meta.url)));
