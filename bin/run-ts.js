#!/usr/bin/env node
// Runs any TypeScript entry point of this repository: node bin/run-ts.js FILE.ts [args].
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
register();
const file = process.argv[2];
if (!file) { console.error('usage: run-ts FILE.ts [args]'); process.exit(2); }
process.argv.splice(1, 2, resolve(file));
await import(pathToFileURL(resolve(file)).href);
