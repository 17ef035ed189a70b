#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx transpiles on load, with a disk cache).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/vrfsync.ts');
