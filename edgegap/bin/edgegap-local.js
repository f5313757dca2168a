#!/usr/bin/env node
// edgegap-local CLI: an Edgegap-compatible API on 127.0.0.1 that runs deployments as local
// processes. Runs the built code: `npx tsc -b` first.
import { main } from '../dist/main.js';

await main(process.argv.slice(2));
