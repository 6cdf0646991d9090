// The glewlwyd harness itself: a machine without glewlwyd fails loudly with the command that fixes it,
// on every machine that runs the suite.
import { describe, expect, it } from 'vitest';
import { assertGlewlwydInstalled } from '../../support/glewlwyd.js';

describe('the glewlwyd harness', () => {
  it('throws with the apt-get command when glewlwyd or sqlite3 is missing (never a silent skip)', () => {
    expect(() => assertGlewlwydInstalled(['/nonexistent/usr/bin/glewlwyd'])).toThrow(/apt-get install -y glewlwyd sqlite3/);
  });

  it('finds glewlwyd and sqlite3 on this machine (.ci/run installs them)', () => {
    expect(() => assertGlewlwydInstalled()).not.toThrow();
  });
});
