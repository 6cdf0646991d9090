// The guided mode's questions: only what setup cannot discover, with the answers it found as defaults.
// Every answer that can be checked is checked at its question, so a wrong one is explained and asked again.
import { type ClaimMappingOptions, SYSTEM_PREFIX } from '../../apiserver/claim-mapping-rules.js';
import { type KubeconfigSet, currentContext, listEntries } from '../../kube/kubeconfig.js';
import { type Choice, type Prompter, choose } from './prompter.js';
import { checkIssuerScheme } from './provider-checks.js';
import { defaultClusterName, defaultContextName, defaultUserName, namespaceProblem } from './setup-input.js';
import type { ClusterChoice } from './setup-kubeconfig.js';

/** Prints one line of the conversation (stderr). */
export type Say = (text: string) => void;

function validUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'enter an https:// URL';
  } catch {
    return 'enter a full URL, for example https://idp.example.com';
  }
}

const required = (what: string) => (text: string): string | undefined => (text === '' ? `${what} is required` : undefined);

/** The issuer question's check: a URL, and https unless the provider is on this machine (the scheme check's text and fix). */
function issuerProblem(text: string): string | undefined {
  const problem = required('the issuer URL')(text) ?? validUrl(text);
  if (problem !== undefined) return problem;
  const scheme = checkIssuerScheme(text);
  return scheme.status === 'fail' ? `${scheme.text}: ${scheme.fix ?? 'enter an https:// URL'}` : undefined;
}

/** Asks for the issuer URL (again, after a check failed: `previous` is the default). */
export async function askIssuer(prompter: Prompter, previous?: string): Promise<string> {
  return prompter.ask('Issuer URL of the OpenID Connect provider (exactly as it publishes it)', {
    ...(previous === undefined ? {} : { default: previous }),
    validate: issuerProblem,
  });
}

/** The issuer URL and client ID, when they were not given. */
export async function askProvider(prompter: Prompter, given: { issuerUrl?: string | undefined; clientId?: string | undefined }): Promise<{ issuerUrl: string; clientId: string }> {
  const issuerUrl = given.issuerUrl ?? (await askIssuer(prompter));
  const clientId = given.clientId ?? (await prompter.ask('Client ID registered at the provider for kubectl', { validate: required('the client ID') }));
  return { issuerUrl, clientId };
}

/**
 * The PEM file of the CA that signed the provider's certificate, asked when TLS did not verify;
 * undefined for an empty answer (the person enters another issuer URL instead).
 */
export async function askCaFile(prompter: Prompter, readText: (path: string) => Promise<string>, say: Say): Promise<string | undefined> {
  for (;;) {
    const path = await prompter.ask("PEM file of the CA that signed the provider's certificate (empty: enter another issuer URL)", { default: '' });
    if (path === '') return undefined;
    let text: string;
    try {
      text = await readText(path);
    } catch {
      say(`  cannot read ${path}: enter the path of a readable PEM file`);
      continue;
    }
    if (text.includes('-----BEGIN CERTIFICATE-----')) return path;
    say(`  ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----): enter the CA's PEM file`);
  }
}

/** The scopes that matter to kubectl and kube-apiserver, offered when the provider lists them. */
const OFFERED_SCOPES = ['email', 'groups', 'offline_access'] as const;

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scopes besides openid: `email`, `groups` and `offline_access` as the provider's scopes_supported
 * lists them are the default (OIDC Core §5.4 email; §11 offline_access for refresh tokens).
 */
export async function askScopes(prompter: Prompter, scopesSupported: unknown, say: Say): Promise<string[]> {
  const listed = Array.isArray(scopesSupported) ? scopesSupported.map(String) : [];
  const offered = OFFERED_SCOPES.filter((scope) => listed.includes(scope));
  say('');
  say(
    listed.length === 0
      ? 'The provider does not list its scopes (scopes_supported).'
      : `The provider lists these scopes: ${listed.join(' ')}`,
  );
  const answer = await prompter.ask('Scopes to request besides openid (separated by spaces; - for none)', {
    default: offered.join(' '),
    validate: (text) => {
      if (text === '-' || text === '') return undefined;
      const bad = text.split(/[\s,]+/).filter((scope) => scope !== '' && !SCOPE_TOKEN.test(scope));
      return bad.length === 0 ? undefined : `${bad.map((scope) => JSON.stringify(scope)).join(', ')} is not a scope name (RFC 6749 §3.3): enter names separated by spaces`;
    },
  });
  if (answer === '-' || answer === '') return [];
  return [...new Set(answer.split(/[\s,]+/).filter((scope) => scope !== '' && scope !== 'openid'))];
}

// kube-apiserver refuses a system: prefix for provider identities; asked again instead of failing later.
function prefixProblem(text: string): string | undefined {
  return text.startsWith(SYSTEM_PREFIX)
    ? `the ${SYSTEM_PREFIX} prefix is reserved for Kubernetes system users and groups, so provider identities must never get it: choose your own, for example oidc:`
    : undefined;
}

/**
 * The claim mapping the cluster admin will configure. Defaults come from the test login's token:
 * `email` when it holds a verified address, `groups` when it is there; empty keeps kube-apiserver's
 * own default for the prefix.
 */
export async function askMapping(prompter: Prompter, given: ClaimMappingOptions, claims: Readonly<Record<string, unknown>>, say: Say): Promise<ClaimMappingOptions> {
  say('');
  say('How kube-apiserver should map the token to a Kubernetes user (the cluster admin configures the same):');
  const emailUsable = typeof claims['email'] === 'string' && claims['email_verified'] !== false;
  const usernameClaim = given.usernameClaim ?? (await prompter.ask('Username claim', { default: emailUsable ? 'email' : 'sub' }));
  const usernamePrefix =
    given.usernamePrefix ??
    (await prompter.ask(
      usernameClaim === 'email'
        ? 'Username prefix (empty: none for the email claim; - for none)'
        : 'Username prefix (empty: kube-apiserver\'s default "<issuer-url>#"; - for none; e.g. oidc:)',
      { default: '', validate: prefixProblem },
    ));
  const hasGroups = Object.hasOwn(claims, 'groups');
  const groupsClaim = given.groupsClaim ?? (await prompter.ask('Groups claim (empty: no groups)', { default: hasGroups ? 'groups' : '' }));
  const groupsPrefix =
    groupsClaim === ''
      ? undefined
      : (given.groupsPrefix ??
        (await prompter.ask('Groups prefix (recommended, so no provider group can match a Kubernetes system group)', { default: 'oidc:', validate: prefixProblem })));
  return {
    usernameClaim,
    ...(usernamePrefix === '' ? {} : { usernamePrefix }),
    ...(groupsClaim === '' ? {} : { groupsClaim }),
    ...(groupsPrefix === undefined || groupsPrefix === '' ? {} : { groupsPrefix }),
  };
}

/** The kubeconfig answers. */
export interface KubeconfigAnswers {
  readonly cluster: ClusterChoice;
  readonly clusterCaFile: string | undefined;
  readonly user: string;
  readonly context: string;
  readonly namespace: string | undefined;
  readonly setCurrentContext: boolean;
}

/** What was given on the command line for the kubeconfig part. */
export interface KubeconfigGiven {
  readonly cluster?: string | undefined;
  readonly server?: string | undefined;
  readonly clusterCertificateAuthority?: string | undefined;
  readonly user?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
  readonly setCurrentContext: boolean;
}

/** Which cluster (offering the kubeconfig's clusters and the contexts that use them), names, namespace. */
export async function askKubeconfig(
  prompter: Prompter,
  set: KubeconfigSet,
  given: KubeconfigGiven,
  provider: { issuerUrl: string; clientId: string },
  say: Say,
): Promise<KubeconfigAnswers> {
  say('');
  say(`Kubeconfig: ${set.location.paths.join(', ')}`);
  let cluster: ClusterChoice;
  let clusterCaFile = given.clusterCertificateAuthority;
  if (given.server !== undefined) {
    cluster = { kind: 'new', name: given.cluster ?? defaultClusterName(given.server), server: given.server };
  } else if (given.cluster !== undefined) {
    cluster = { kind: 'existing', name: given.cluster };
  } else {
    const clusters = listEntries(set, 'clusters');
    const contexts = listEntries(set, 'contexts');
    const current = currentContext(set);
    const currentCluster = contexts.find((c) => c.name === current?.name)?.body['cluster'];
    const choices: Choice<string | undefined>[] = clusters.map((entry) => {
      const usedBy = contexts.filter((c) => c.body['cluster'] === entry.name).map((c) => c.name);
      const server = typeof entry.body['server'] === 'string' ? entry.body['server'] : '(no server)';
      return { label: `${entry.name}  ${server}${usedBy.length > 0 ? `  (contexts: ${usedBy.join(', ')})` : ''}`, value: entry.name };
    });
    choices.push({ label: 'a new cluster: enter its API server URL', value: undefined });
    const defaultIndex = Math.max(0, clusters.findIndex((entry) => entry.name === currentCluster));
    const picked = await choose(prompter, 'Which cluster should kubectl log in to with this provider?', choices, defaultIndex, say);
    if (picked !== undefined) {
      cluster = { kind: 'existing', name: picked };
    } else {
      const server = await prompter.ask('API server URL', { validate: (text) => required('the API server URL')(text) ?? validUrl(text) });
      const name = await prompter.ask('Name of the new cluster entry', { default: defaultClusterName(server) });
      const ca = await prompter.ask('CA file of the API server (PEM; empty: trust the system roots)', { default: '' });
      clusterCaFile = ca === '' ? undefined : ca;
      cluster = { kind: 'new', name, server };
    }
  }
  const user = given.user ?? (await prompter.ask('Name of the kubeconfig user', { default: defaultUserName(provider.issuerUrl, provider.clientId) }));
  const context = given.context ?? (await prompter.ask('Name of the kubeconfig context', { default: defaultContextName(cluster.name) }));
  const namespaceAnswer =
    given.namespace ?? (await prompter.ask('Default namespace of the context (empty: none)', { default: '', validate: (text) => (text === '' ? undefined : namespaceProblem(text)) }));
  const setCurrent = given.setCurrentContext || (await prompter.confirm(`Make ${context} the current context?`, false));
  return { cluster, clusterCaFile, user, context, namespace: namespaceAnswer === '' ? undefined : namespaceAnswer, setCurrentContext: setCurrent };
}
