#!/usr/bin/env node
// playgap-sidecar CLI: runs the built sidecar (npm run build first in a checkout).
import '../dist/main.js';
