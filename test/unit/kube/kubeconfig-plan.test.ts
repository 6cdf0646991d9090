// The --dry-run diff: a unified diff per changed file, with every secret value masked.
import { describe, expect, it } from 'vitest';
import { kubeconfigFileFromText, missingKubeconfigFile, planKubeconfigChanges, renderKubeconfigDiff, upsertExecUser } from '../../../src/kube/kubeconfig.js';
import { mergeLines } from '../../../src/kube/text-three-way-merge.js';

const EXEC = { command: 'kube-login', args: ['get-token', '--oidc-client-secret=s3cr3t-value'], installHint: 'h' };

describe('renderKubeconfigDiff', () => {
  it('shows the change as a unified diff and masks secrets in context lines', () => {
    const file = kubeconfigFileFromText('/k/config', 'users:\n- name: legacy\n  user:\n    token: abcdef123456\n    password: hunter22\n');
    const set = { location: { paths: ['/k/config'], source: 'flag' as const }, files: [file] };
    upsertExecUser(set, 'oidc', EXEC);
    const diff = renderKubeconfigDiff(planKubeconfigChanges(set));
    expect(diff).toMatch(/^--- \/k\/config\tcurrent\n\+\+\+ \/k\/config\tafter kube-login\n@@ /);
    expect(diff).toContain('+- name: oidc\n');
    expect(diff).toContain('     token: [redacted]');
    expect(diff).toContain('     password: [redacted]');
    expect(diff).toContain('+      - --oidc-client-secret=[redacted]');
    expect(diff).not.toMatch(/abcdef123456|hunter22|s3cr3t-value/);
  });

  it('shows a new file as created from /dev/null', () => {
    const set = { location: { paths: ['/k/new'], source: 'flag' as const }, files: [missingKubeconfigFile('/k/new')] };
    upsertExecUser(set, 'oidc', { ...EXEC, args: ['get-token'] });
    expect(renderKubeconfigDiff(planKubeconfigChanges(set))).toMatch(/^--- \/dev\/null\n\+\+\+ \/k\/new\tafter kube-login\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: v1\n/);
  });
});

describe('mergeLines', () => {
  it('applies both sides when they touch different lines', () => {
    expect(mergeLines('a\nb\nc\nd', 'A\nb\nc\nd', 'a\nb\nc\nX\nd')).toBe('A\nb\nc\nX\nd');
  });
  it('puts an insertion next to a reformatted neighbour', () => {
    expect(mergeLines('a\nb\nc', 'a\nB\nc', 'a\nnew\nb\nc')).toBe('a\nnew\nB\nc');
  });
  it('lets theirs win over the lines where both sides conflict', () => {
    expect(mergeLines('a\nb\nc', 'a\nB\nc', 'a\nb2\nc')).toBe('a\nb2\nc');
    expect(mergeLines('a\nb', 'a\nx\nb', 'a\ny\nb')).toBe('a\ny\nb');
    expect(mergeLines('a\nb\nc\nd', 'a\nB\nC\nd', 'a\nb\nnew\nc\nd')).toBe('a\nb\nnew\nc\nd');
  });
});
