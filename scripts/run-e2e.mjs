#!/usr/bin/env node
// Runs the browser end-to-end suite (vitest + playwright-core driving Debian's chromium).
import { spawnSync } from 'node:child_process';

const r = spawnSync('npx', ['vitest', 'run', '-c', 'vitest.e2e.config.ts'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
