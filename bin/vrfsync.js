#!/usr/bin/env node
import { launch } from './launch.js';
await launch('vrfsync.mjs', 'src/cli/vrfsync.ts');
