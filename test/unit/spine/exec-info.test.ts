// KUBERNETES_EXEC_INFO as client-go sets it (SPECS A.4): compact JSON, v1 or v1beta1; anything else
// is a clear `exec-info` error that says what is wrong.
import { describe, expect, it } from 'vitest';
import { KubeLoginError } from '../../../src/errors.js';
import { parseExecInfo } from '../../../src/kube/exec-info.js';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';

const errorOf = (value: string): KubeLoginError => {
  try {
    parseExecInfo(value);
  } catch (error) {
    expect(error).toBeInstanceOf(KubeLoginError);
    expect((error as KubeLoginError).code).toBe('exec-info');
    expect((error as KubeLoginError).message).toContain('KUBERNETES_EXEC_INFO');
    return error as KubeLoginError;
  }
  throw new Error(`parseExecInfo(${JSON.stringify(value)}) did not throw`);
};

describe('parseExecInfo', () => {
  it('defaults to v1 with unknown interactivity when the variable is absent (run by hand)', () => {
    expect(parseExecInfo(undefined)).toEqual({ apiVersion: V1, interactive: undefined });
  });

  it('treats an empty value like an absent one', () => {
    expect(parseExecInfo('')).toEqual({ apiVersion: V1, interactive: undefined });
  });

  it.each([
    [V1, false],
    [V1, true],
    [V1BETA1, false],
    [V1BETA1, true],
  ])('reads the exact client-go encoding for %s, interactive %s', (apiVersion, interactive) => {
    // The shape of client-go's exec_test.go: compact JSON, kind first.
    const value = `{"kind":"ExecCredential","apiVersion":"${apiVersion}","spec":{"interactive":${interactive}}}`;
    expect(parseExecInfo(value)).toEqual({ apiVersion, interactive });
  });

  it('accepts a trailing newline', () => {
    expect(parseExecInfo(`{"kind":"ExecCredential","apiVersion":"${V1BETA1}","spec":{"interactive":true}}\n`)).toEqual({
      apiVersion: V1BETA1,
      interactive: true,
    });
  });

  it('accepts spec.cluster from provideClusterInfo: true', () => {
    const value = JSON.stringify({
      kind: 'ExecCredential',
      apiVersion: V1,
      spec: {
        interactive: false,
        cluster: {
          server: 'https://172.17.4.100:6443',
          'certificate-authority-data': 'LS0tLS1CRUdJTg==',
          config: { apiVersion: 'group/v1', kind: 'PluginConfig', spec: { audience: 'snorlax' } },
        },
      },
    });
    expect(parseExecInfo(value)).toEqual({ apiVersion: V1, interactive: false });
  });

  it('leaves interactivity unknown when spec.interactive is absent', () => {
    expect(parseExecInfo(`{"kind":"ExecCredential","apiVersion":"${V1}","spec":{}}`)).toEqual({ apiVersion: V1, interactive: undefined });
  });

  it('rejects text that is not JSON', () => {
    expect(errorOf('{"kind":"ExecCredential",').message).toMatch(/JSON/);
  });

  it.each(['null', '[]', '"client.authentication.k8s.io/v1"', '42'])('rejects %s, which is not a JSON object', (value) => {
    expect(errorOf(value).message).toMatch(/object/);
  });

  it('rejects v1alpha1 (removed from client-go in 1.24) and quotes it', () => {
    const error = errorOf('{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","spec":{"interactive":false}}');
    expect(error.message).toContain('client.authentication.k8s.io/v1alpha1');
    expect(error.fix).toBeTruthy();
  });

  it('rejects a missing apiVersion', () => {
    expect(errorOf('{"kind":"ExecCredential","spec":{"interactive":false}}').message).toMatch(/apiVersion/);
  });

  it('rejects an apiVersion that is not a string', () => {
    expect(errorOf('{"kind":"ExecCredential","apiVersion":1}').message).toMatch(/apiVersion/);
  });

  it.each(['"true"', '1', 'null', '{}'])('rejects spec.interactive = %s, which is not a boolean', (interactive) => {
    expect(errorOf(`{"kind":"ExecCredential","apiVersion":"${V1}","spec":{"interactive":${interactive}}}`).message).toMatch(/interactive/);
  });
});
