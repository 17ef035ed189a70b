#!/usr/bin/env node
import { launch } from './launch.js';
await launch('hwsim.mjs', 'hwsim/cli.ts');
