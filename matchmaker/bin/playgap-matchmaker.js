#!/usr/bin/env node
// playgap-matchmaker CLI: runs the built entry point (npm run build first).
import '../dist/main.js';
