#!/usr/bin/env node
// The `playgap` command: runs the built CLI (npm run build / npx tsc -b first).
import '../dist/main.js';
