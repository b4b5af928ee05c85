#!/usr/bin/env node
// Runs the TypeScript CLI directly: tsx's loader is registered first, so an
// installed `lightsout` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
