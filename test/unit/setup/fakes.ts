// Fake ports for the setup use case: an in-memory kubeconfig, a scripted provider and login, a scripted prompter.
import { KubeLoginError } from '../../../src/errors.js';
import { type KubeconfigChange, type KubeconfigSet, kubeconfigFileFromText, missingKubeconfigFile } from '../../../src/kube/kubeconfig.js';
import { createLogger } from '../../../src/platform/logger.js';
import { Redactor } from '../../../src/platform/redactor.js';
import type { SetupDeps, SetupLogin } from '../../../src/usecases/setup.js';
import type { AskOptions, Prompter } from '../../../src/usecases/setup/prompter.js';
import type { SetupInput } from '../../../src/usecases/setup/setup-input.js';

export const ISSUER = 'https://idp.example.com';
export const NOW = Date.parse('2026-03-05T17:00:00Z');

/** A discovery document that passes every check. */
export function goodDiscovery(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/auth`,
    token_endpoint: `${ISSUER}/token`,
    jwks_uri: `${ISSUER}/jwks`,
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'email', 'groups', 'offline_access'],
    id_token_signing_alg_values_supported: ['RS256'],
    ...overrides,
  };
}

/** An unsigned compact JWT with the claims (setup only decodes the tokens the login already validated). */
export function fakeIdToken(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.c2lnbmF0dXJl`;
}

export const CLAIMS = {
  iss: ISSUER,
  sub: 'user-123',
  aud: 'kubernetes',
  email: 'jane@example.com',
  email_verified: true,
  groups: ['developers', 'viewers'],
  exp: NOW / 1000 + 3600,
  iat: NOW / 1000,
};

export const KIND_CONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0t
    server: https://127.0.0.1:6443
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    token: kind-admin-token
`;

/** A prompter that answers from a script (in order) and records the questions. */
export function scriptedPrompter(answers: string[]): Prompter & { questions: string[] } {
  const questions: string[] = [];
  const next = (question: string): string => {
    questions.push(question);
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`no scripted answer for: ${question}`);
    return answer;
  };
  return {
    questions,
    async ask(question: string, options: AskOptions = {}) {
      const answer = next(question);
      const value = answer === '' && options.default !== undefined ? options.default : answer;
      const problem = options.validate?.(value);
      if (problem !== undefined) throw new Error(`invalid scripted answer ${JSON.stringify(answer)}: ${problem}`);
      return value;
    },
    async confirm(question: string, defaultYes: boolean) {
      const answer = next(question);
      return answer === '' ? defaultYes : answer === 'y';
    },
  };
}

/** Options of fakeSetup. */
export interface FakeOptions {
  files?: Record<string, string | undefined>;
  discovery?: Record<string, unknown> | KubeLoginError;
  claims?: Record<string, unknown>;
  refreshToken?: boolean;
  prompter?: Prompter;
  texts?: Record<string, string>;
}

/** The fake deps, with what they saw. */
export function fakeSetup(options: FakeOptions = {}) {
  const stderr: string[] = [];
  const stdout: string[] = [];
  const calls = { discover: 0, login: [] as Array<{ dryRun: boolean; scopes: string[] }>, written: [] as KubeconfigChange[][] };
  const files = options.files ?? { '/home/u/.kube/config': KIND_CONFIG };
  const deps: SetupDeps = {
    logger: createLogger({ write: (text: string) => stderr.push(text) }, false, new Redactor()),
    stdout: { write: (text: string) => stdout.push(text) },
    clock: { now: () => NOW },
    env: { HOME: '/home/u' },
    home: '/home/u',
    cwd: '/work',
    prompter: options.prompter,
    discover: async () => {
      calls.discover += 1;
      const discovery = options.discovery ?? goodDiscovery();
      if (discovery instanceof KubeLoginError) throw discovery;
      return discovery;
    },
    login: async (input, { dryRun }): Promise<SetupLogin> => {
      calls.login.push({ dryRun, scopes: input.scopes });
      return { idToken: fakeIdToken(options.claims ?? CLAIMS), refreshTokenReturned: options.refreshToken ?? true };
    },
    readText: async (path) => {
      const text = options.texts?.[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return text;
    },
    loadKubeconfigs: async (location): Promise<KubeconfigSet> => ({
      location,
      files: location.paths.map((path) => {
        const text = files[path];
        return text === undefined ? missingKubeconfigFile(path) : kubeconfigFileFromText(path, text);
      }),
    }),
    writeKubeconfigs: async (changes) => {
      calls.written.push([...changes]);
      return changes.map((change) => ({ path: change.path, listedPath: change.path, created: !change.exists, mode: change.mode ?? 0o600, backupPath: change.exists ? `${change.path}.kube-login-backup-20260305T170000Z` : undefined }));
    },
    clusterVersion: async () => ({ major: 1, minor: 31 }),
  };
  return { deps, stderr: () => stderr.join(''), stdout: () => stdout.join(''), calls };
}

/** A flags-mode input for the kind cluster. */
export function flagsInput(overrides: Partial<SetupInput> = {}, strings: Record<string, string> = {}): SetupInput {
  return {
    raw: { strings: { 'oidc-issuer-url': ISSUER, 'oidc-client-id': 'kubernetes', ...strings }, lists: {}, booleans: {} },
    cluster: 'kind-kind',
    setCurrentContext: false,
    mapping: {},
    rbac: { clusterWide: false },
    dryRun: false,
    yes: false,
    ...overrides,
  };
}
