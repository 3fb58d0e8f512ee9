#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { launchBundle } from './launch.js';

/** The sha256 of dist/cli-bundle.cjs, put in by scripts/bundle-cli.mjs. */
declare const CAPMEDIA_BUNDLE_SHA256: string;

// The `capmedia` command: scripts/bundle-cli.mjs bundles this file into dist/cli.js, beside the CLI's own bundle.
launchBundle(fileURLToPath(new URL('./cli-bundle.cjs', import.meta.url)), CAPMEDIA_BUNDLE_SHA256);
