// Entry of the single executable (scripts/build-executable.ts compiles it with Bun): the cache-hit
// fast path first, exactly as bin/kube-login.js runs it under Node; the full CLI is bundled into
// the same file but evaluated only on a miss (a dynamic import is a lazily run module in the bundle).
import { run } from './fast/hit.js';

run(() => import('./main.js'));
