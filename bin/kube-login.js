#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): the cache-hit path answers kubectl from one small
// bundled file; anything else loads the full ESM command line.
'use strict';
require('../dist/fast-hit.cjs').run();
