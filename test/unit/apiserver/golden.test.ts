// Golden files for every format and version boundary (regenerate with UPDATE_GOLDEN=1).
import { describe, expect, it } from 'vitest';
import { apiserverConfig } from '../../../src/usecases/apiserver-config.js';
import { CASE_FILES, GOLDEN_CASES } from './cases.js';
import { fakeApiserverConfigDeps } from './fakes.js';
import { UPDATE_GOLDEN, compareGolden } from './golden.js';

describe('apiserver-config golden files', () => {
  it.each(GOLDEN_CASES)('$name', async ({ name, input }) => {
    const { deps, captured } = fakeApiserverConfigDeps({ files: CASE_FILES });
    await apiserverConfig(deps, input);
    const result = compareGolden(name, captured.stdout, UPDATE_GOLDEN);
    expect(result.ok ? 'ok' : result.message).toBe('ok');
    expect(captured.providerCalls).toBe(0);
  });

  it('fails when the output changes by one byte', async () => {
    const [first] = GOLDEN_CASES;
    if (!first) throw new Error('no golden case');
    const { deps, captured } = fakeApiserverConfigDeps({ files: CASE_FILES });
    await apiserverConfig(deps, first.input);
    // Never write here, even under UPDATE_GOLDEN: this checks the comparison itself.
    expect(compareGolden(first.name, captured.stdout, false).ok).toBe(true);
    const changed = compareGolden(first.name, captured.stdout.replace('oidc:', 'oidc-'), false);
    expect(changed.ok).toBe(false);
    expect(changed.ok ? '' : changed.message).toMatch(/differs at line \d+/);
    expect(compareGolden(first.name, `${captured.stdout}\n`, false).ok).toBe(false);
    expect(compareGolden('no-such-case', captured.stdout, false).ok).toBe(false);
  });
});
