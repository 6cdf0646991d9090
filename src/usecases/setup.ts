// `kube-login setup`: check the provider, log in once, show the user as kube-apiserver will see it,
// write the kubeconfig safely, and print what the cluster admin must do. Reads top to bottom.
import { redirectUrisOf } from './redirect-uris.js';
import { type CertificateAuthority, parseCertificateAuthority } from '../apiserver/certificate-authority.js';
import { type ClaimMappingOptions, resolveClaimMappingRules } from '../apiserver/claim-mapping-rules.js';
import { discoveryUrlOf } from '../apiserver/discovery-source.js';
import type { KubernetesVersion } from '../apiserver/kubernetes-version.js';
import type { RawGetTokenFlags } from '../config/get-token-flags.js';
import { terminalLine } from '../platform/terminal-text.js';
import { CLIENT_SECRET_ENV, type GetTokenInput, toGetTokenInput } from '../config/get-token-input.js';
import { KubeLoginError, describe, isKubeLoginError } from '../errors.js';
import {
  type KubeconfigChange,
  type KubeconfigLocation,
  type KubeconfigSet,
  type WrittenKubeconfig,
  findEntry,
  listEntries,
  locateKubeconfigs,
  planKubeconfigChanges,
  renderKubeconfigDiff,
} from '../kube/kubeconfig.js';
import type { TlsOptions } from '../oidc/http.js';
import { decodeJwtPayload } from '../oidc/jwt-claims.js';
import type { Clock } from '../platform/clock.js';
import type { Logger, TextSink } from '../platform/logger.js';
import { EXEC_COMMAND, INSTALL_HINT, buildExecArgs } from './setup/exec-args.js';
import { type KubeconfigAnswers, askCaFile, askIssuer, askKubeconfig, askMapping, askProvider, askScopes } from './setup/guided.js';
import { renderNextSteps } from './setup/next-steps.js';
import type { Prompter } from './setup/prompter.js';
import {
  type CheckResult,
  checkDiscoveryDocument,
  checkIssuerScheme,
  checkRefreshAdvertised,
  checkRefreshAfterLogin,
  checkTokenAlg,
  discoveryFailed,
  discoveryRead,
  formatCheck,
} from './setup/provider-checks.js';
import { DEFAULT_RBAC_CLUSTER_ROLE, type SetupInput, defaultClusterName, defaultContextName, defaultUserName, missingValues, missingValuesError, validateSetupFlags } from './setup/setup-input.js';
import {
  type ClusterChoice,
  type ClusterEndpoint,
  type EntryChange,
  applyKubeconfigRequest,
  clusterEndpoint,
  describeEntryChange,
  unknownCluster,
} from './setup/setup-kubeconfig.js';
import { claimLines, mapTokenUser, whoamiGroups } from './setup/token-report.js';

/** What the test login returned: the validated ID token, and whether a refresh token came with it. */
export interface SetupLogin {
  readonly idToken: string;
  readonly refreshTokenReturned: boolean;
}

/** The ports of setup; src/compose/setup.ts builds the real ones, tests build fakes. */
export interface SetupDeps {
  /** Every line a person reads: checks, claims, summary, next steps (stderr). */
  readonly logger: Logger;
  /** Only the --dry-run diff goes here. */
  readonly stdout: TextSink;
  readonly clock: Clock;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly cwd: string;
  /** The guided mode's questions; undefined without a terminal on stdin and stderr, or with --yes. */
  readonly prompter: Prompter | undefined;
  /** The raw discovery document; throws KubeLoginError ('tls', 'provider-unreachable', 'provider-rejected'). */
  readonly discover: (issuerUrl: string, tls: TlsOptions) => Promise<Record<string, unknown>>;
  /** One login with the get-token code (browser, PKCE, same flags); the tokens go to the cache unless dryRun. */
  readonly login: (input: GetTokenInput, options: { readonly dryRun: boolean }) => Promise<SetupLogin>;
  readonly readText: (path: string) => Promise<string>;
  readonly loadKubeconfigs: (location: KubeconfigLocation) => Promise<KubeconfigSet>;
  readonly writeKubeconfigs: (changes: readonly KubeconfigChange[]) => Promise<WrittenKubeconfig[]>;
  /** The control plane version from the cluster's /version (unauthenticated), undefined when it cannot be read. */
  readonly clusterVersion: (cluster: ClusterEndpoint) => Promise<KubernetesVersion | undefined>;
  /** The exec command that starts this kube-login (platform/self-command.ts); `kube-login` when absent. */
  readonly execCommand?: string;
}

/** What setup did, for tests (the person reads stderr). */
export interface SetupResult {
  readonly checks: readonly CheckResult[];
  readonly changes: readonly KubeconfigChange[];
  readonly written: readonly WrittenKubeconfig[];
  readonly context: string;
  readonly user: string;
  readonly username: string | undefined;
}

/** Runs setup; any failure before the write leaves every file as it was. */
export async function setup(deps: SetupDeps, input: SetupInput): Promise<SetupResult> {
  const { logger } = deps;
  const say = (text: string): void => logger.info(text);

  // 1. Flags that can never work, and the kubeconfig: refused now if we could not write it safely.
  validateSetupFlags(input);
  const location = locateKubeconfigs({ explicitPath: input.kubeconfig, env: deps.env, cwd: deps.cwd });
  const set = await deps.loadKubeconfigs(location);
  if (input.cluster !== undefined && input.server === undefined && findEntry(set, 'clusters', input.cluster) === undefined) {
    throw unknownCluster(set, input.cluster);
  }
  if (input.cluster !== undefined && input.server !== undefined && findEntry(set, 'clusters', input.cluster) !== undefined) {
    throw new KubeLoginError('usage', `add the cluster ${JSON.stringify(input.cluster)}`, 'a cluster of that name is already in the kubeconfig, and --server would change it', {
      fix: 'drop --server to use that cluster as it is, or pass another --cluster name for the new one',
    });
  }

  // A secret in a kubeconfig can be read by anyone who can read the file (and kubeconfigs get copied
  // and pasted); in exec args, by every local user through ps on each kubectl call. Refused before
  // any request: the file flag, or the environment variable, keeps it out of both.
  if (input.raw.strings['oidc-client-secret']) {
    throw new KubeLoginError('usage', 'write the client secret into the kubeconfig', 'setup does not write a client secret into a kubeconfig, and --oidc-client-secret would put it there', {
      fix: `save the secret in a file only you can read (umask 077; printf %s "$SECRET" > ~/.kube/oidc-client-secret) and pass --oidc-client-secret-file ~/.kube/oidc-client-secret instead, or export ${CLIENT_SECRET_ENV} where you run kubectl and leave the flag out`,
    });
  }

  // 2. The values without a default: asked on a terminal, otherwise listed as flags (never a hang).
  const missing = missingValues(input);
  const prompter = missing.length > 0 ? deps.prompter : undefined;
  if (missing.length > 0 && prompter === undefined) throw missingValuesError(missing, input.yes ? 'yes' : 'no-terminal');
  if (prompter) say('kube-login setup: guided mode. Press Enter to take the [default]; Ctrl-C stops without changing anything.\n');
  const raw: RawGetTokenFlags = { strings: { ...input.raw.strings }, lists: { ...input.raw.lists }, booleans: { ...input.raw.booleans } };
  if (prompter) {
    const answers = await askProvider(prompter, { issuerUrl: raw.strings['oidc-issuer-url'], clientId: raw.strings['oidc-client-id'] });
    raw.strings['oidc-issuer-url'] = answers.issuerUrl;
    raw.strings['oidc-client-id'] = answers.clientId;
  }
  // Mapping flags are checked now (system: prefixes, a prefix without a claim), before any request.
  const flagsInput = toGetTokenInput(raw, deps.env, deps.home);
  resolveClaimMappingRules(input.mapping, flagsInput.issuerUrl);
  // Without questions every kubeconfig answer is known now: the edit is planned (CA file read, entries
  // merged, file rendered) before any request to the provider, so that a kubeconfig we cannot write
  // fails here and not after a login. The guided mode plans it once its questions are answered, still
  // before the login.
  const flagsEdit = prompter
    ? undefined
    : await planEdit(deps, set, flagAnswers(input, flagsInput.issuerUrl, flagsInput.clientId), buildExecArgs(raw, { cwd: deps.cwd, home: deps.home }).args);

  // 3. The provider: checked until it passes (guided: a failed check is explained and its question asked
  // again), or skipped with --offline. Nothing after the login can fail on an answer.
  const checks: CheckResult[] = [];
  const report = (result: CheckResult): void => {
    checks.push(result);
    say(formatCheck(result));
  };
  let discovery: Record<string, unknown> | undefined;
  if (input.offline) {
    // The scheme needs no request: an issuer get-token would always refuse is never written.
    for (let scheme = checkIssuerScheme(raw.strings['oidc-issuer-url'] ?? ''); scheme.status === 'fail'; scheme = checkIssuerScheme(raw.strings['oidc-issuer-url'] ?? '')) {
      if (!prompter) throw checkError(scheme);
      report(scheme);
      raw.strings['oidc-issuer-url'] = await askIssuer(prompter, raw.strings['oidc-issuer-url']);
    }
    if (prompter) say('');
    say(OFFLINE_NOTE);
  } else {
    discovery = await checkProvider(deps, raw, prompter, report);
    if (prompter && raw.lists['oidc-extra-scope'] === undefined) raw.lists['oidc-extra-scope'] = await askScopes(prompter, discovery['scopes_supported'], say);
  }
  const tokenInput = toGetTokenInput(raw, deps.env, deps.home);
  const { issuerUrl, clientId } = tokenInput;
  const execArgs = buildExecArgs(raw, { cwd: deps.cwd, home: deps.home });

  // 4. The kubeconfig answers, asked before the login so that every answer is checked while it is asked.
  const { answers, cluster, entryChanges, changes } = flagsEdit ?? (await planEdit(deps, set, await askKubeconfig(prompter!, set, input, { issuerUrl, clientId }, say), execArgs.args));

  // 5. One login, with the get-token code and flags (the token is cached for kubectl, unless --dry-run).
  let claims: Record<string, unknown> = {};
  if (discovery !== undefined) {
    const pendingRefresh = checkRefreshAdvertised(discovery).status === 'pending';
    if (tokenInput.grantType === 'authcode' || tokenInput.grantType === 'auto') {
      // Many providers match redirect URIs exactly (no RFC 8252 section 7.3 any-port rule).
      const { uris, anyPort } = redirectUrisOf(tokenInput);
      if (uris.length > 0) say(`Redirect URIs the client must have registered at the provider (exact match; some providers accept any loopback port, many do not): ${uris.join(', ')}`);
      if (anyPort) logger.warn('--listen-address uses port 0 (any free port): this works only with providers that accept any loopback port (RFC 8252 section 7.3); others show an error page and the login waits until its timeout\n  fix: use fixed ports, e.g. --listen-address=127.0.0.1:8000, and register http://localhost:PORT/ for each');
    }
    say('');
    say(`Logging in once, as kubectl will through get-token${input.dryRun ? ' (--dry-run: the token is not cached)' : ''}`);
    const login = await deps.login({ ...tokenInput, noLogin: false, forceRefresh: false }, { dryRun: input.dryRun });
    logger.redactor.add(login.idToken);
    claims = decodeJwtPayload(login.idToken) ?? {};
    const alg = checkTokenAlg(login.idToken);
    if (alg.status === 'fail') throw checkError(alg);
    report(alg);
    if (pendingRefresh) {
      const refresh = checkRefreshAfterLogin(login.refreshTokenReturned);
      // Guided, the login has happened: say it and go on (the person sees the fix) rather than end here.
      if (refresh.status === 'fail' && !prompter) throw checkError(refresh);
      report(refresh);
    } else if (!login.refreshTokenReturned) {
      logger.warn(
        'the test login returned no refresh token, so kubectl will open the browser again whenever the ID token expires\n' +
          '  fix: request one with --oidc-extra-scope offline_access (Google: --oidc-auth-request-extra-params access_type=offline)',
      );
    }
    say('');
    say('The ID token of the test login:');
    claimLines(claims, input.mapping.groupsClaim ?? 'groups', deps.clock.now()).forEach(say);
  }

  // 6. The claim mapping, and the user exactly as kube-apiserver will map the test login's token.
  const mapping: ClaimMappingOptions = prompter ? await askMapping(prompter, input.mapping, claims, say) : input.mapping;
  const rules = resolveClaimMappingRules(mapping, issuerUrl);
  const mapped = discovery === undefined ? undefined : mapTokenUser(rules, claims);
  if (mapped) {
    say('');
    say(`As kube-apiserver will see this user (${describeMapping(rules)}):`);
    say(`  Username: ${terminalLine(mapped.username ?? `(rejected: ${mapped.rejection ?? 'unknown'})`)}`);
    say(`  Groups:   ${terminalLine(whoamiGroups(mapped.groups))}`);
    for (const warning of mapped.warnings) logger.warn(warning);
  }

  // 7. The kubeconfig: merge, show, write atomically with a backup.
  if (tokenInput.clientSecret !== undefined && raw.strings['oidc-client-secret-file'] === undefined) {
    say(`kube-login: note: the client secret comes from ${CLIENT_SECRET_ENV} and is not written into the kubeconfig: kubectl passes its environment to kube-login, so set that variable wherever you run kubectl (or pass --oidc-client-secret-file FILE to setup)`);
  }
  if (execArgs.dropped.length > 0) say(`kube-login: note: not written into the kubeconfig: ${execArgs.dropped.join(', ')}`);
  const diff = renderKubeconfigDiff(changes);
  say('');
  let written: WrittenKubeconfig[] = [];
  if (changes.length === 0) {
    say(`The kubeconfig already holds this user and context: nothing to write.`);
  } else if (input.dryRun) {
    say('--dry-run: the kubeconfig change (on stdout) was not written:');
    deps.stdout.write(diff);
  } else {
    if (prompter) {
      say('The kubeconfig change:');
      say(diff.trimEnd());
      if (!(await prompter.confirm(`Write it to ${changes.map((c) => c.path).join(' and ')}?`, true))) {
        say('Nothing was written.');
        return { checks, changes, written, context: answers.context, user: answers.user, username: mapped?.username };
      }
    }
    written = await deps.writeKubeconfigs(changes);
    say('Wrote the kubeconfig:');
    entryChanges.forEach((change) => say(describeEntryChange(change)));
    for (const file of written) if (file.backupPath !== undefined) say(`  backup of the previous ${file.listedPath}: ${file.backupPath}`);
  }

  // 8. What the cluster admin must do, and the command that proves it works.
  const endpoint = endpointOf(set, cluster);
  const version = input.kubernetesVersion ?? (endpoint && !input.offline ? await deps.clusterVersion(endpoint) : undefined);
  say('');
  say(
    renderNextSteps({
      issuerUrl,
      clientId,
      mapping,
      providerCa: await providerCa(deps, tokenInput.tls),
      version,
      username: mapped?.username,
      offline: input.offline === true,
      groupsPrefix: rules.groups?.prefix ?? '',
      rbac: {
        clusterRole: input.rbac.clusterRole ?? DEFAULT_RBAC_CLUSTER_ROLE,
        group: input.rbac.group,
        clusterWide: input.rbac.clusterWide,
        namespace: answers.namespace ?? 'default',
      },
      context: answers.context,
      kubeconfigArgs: location.source === 'flag' ? ['--kubeconfig', location.paths[0]!] : [],
    }).trimEnd(),
  );
  return { checks, changes, written, context: answers.context, user: answers.user, username: mapped?.username };
}

/** What --offline leaves unchecked, said once in the output. */
const OFFLINE_NOTE =
  '--offline: the provider was not contacted and no test login was made, so its discovery document, PKCE, refresh tokens, signing algorithm, ' +
  'the token\'s claims and the user kube-apiserver will map were not checked; run kube-login setup without --offline, or kube-login doctor, to check them';

/**
 * The provider checks, in order: scheme, discovery, the document. Without a terminal the first failure
 * is the error (printed once, by main); guided, it is shown as a ✗ line and its question asked again:
 * the issuer URL, or for a certificate that does not verify, the CA file.
 */
async function checkProvider(deps: SetupDeps, raw: RawGetTokenFlags, prompter: Prompter | undefined, report: (result: CheckResult) => void): Promise<Record<string, unknown>> {
  const say = (text: string): void => deps.logger.info(text);
  for (;;) {
    const issuerUrl = raw.strings['oidc-issuer-url'] ?? '';
    if (prompter) say('');
    say(`Checking the provider ${issuerUrl}`);
    const scheme = checkIssuerScheme(issuerUrl);
    if (scheme.status === 'fail') {
      if (!prompter) throw checkError(scheme);
      report(scheme);
      raw.strings['oidc-issuer-url'] = await askIssuer(prompter, issuerUrl);
      continue;
    }
    report(scheme);
    let discovery: Record<string, unknown>;
    try {
      discovery = await deps.discover(issuerUrl, toGetTokenInput(raw, deps.env, deps.home).tls);
    } catch (error) {
      const known = isKubeLoginError(error) ? error : undefined;
      const code = known?.code ?? 'provider-unreachable';
      const reason = known?.reason ?? describe(error);
      const fix = (known && discoveryFix(known)) ?? 'check --oidc-issuer-url and your network';
      if (!prompter) throw new KubeLoginError(code, `read the discovery document ${discoveryUrlOf(issuerUrl)}`, reason, { cause: error, fix });
      if (code === 'tls') {
        // The next question is the fix.
        report({ id: 'discovery', status: 'fail', text: `could not read the discovery document: ${reason}` });
        const caFile = await askCaFile(prompter, deps.readText, say);
        if (caFile !== undefined) raw.lists['certificate-authority'] = [...(raw.lists['certificate-authority'] ?? []), caFile];
        else raw.strings['oidc-issuer-url'] = await askIssuer(prompter, issuerUrl);
        continue;
      }
      report(discoveryFailed(reason, fix, code));
      raw.strings['oidc-issuer-url'] = await askIssuer(prompter, issuerUrl);
      continue;
    }
    report(discoveryRead(discoveryUrlOf(issuerUrl)));
    const documentChecks = checkDiscoveryDocument(issuerUrl, discovery);
    const failed = documentChecks.findIndex((check) => check.status === 'fail');
    documentChecks.slice(0, failed === -1 ? undefined : failed).forEach(report);
    if (failed === -1) return discovery;
    const failure = documentChecks[failed]!;
    if (!prompter) throw checkError(failure);
    report(failure);
    // A discovery issuer that differs is most often the URL to use (OIDC Discovery 1.0 §4.3).
    const published = discovery['issuer'];
    raw.strings['oidc-issuer-url'] = await askIssuer(prompter, failure.id === 'issuer' && typeof published === 'string' ? published : issuerUrl);
  }
}

/** The kubeconfig edit: the answers, the cluster with its CA, what each entry became, the files' new text. */
interface PlannedEdit {
  readonly answers: KubeconfigAnswers;
  readonly cluster: ClusterChoice;
  readonly entryChanges: EntryChange[];
  readonly changes: KubeconfigChange[];
}

/** Applies the answers to `set` and renders the changed files; throws before anything is written. */
async function planEdit(deps: SetupDeps, set: KubeconfigSet, answers: KubeconfigAnswers, args: readonly string[]): Promise<PlannedEdit> {
  const cluster = await withClusterCa(deps, answers.cluster, answers.clusterCaFile);
  const entryChanges = applyKubeconfigRequest(set, {
    user: answers.user,
    context: answers.context,
    cluster,
    namespace: answers.namespace,
    setCurrentContext: answers.setCurrentContext,
    exec: { command: deps.execCommand ?? EXEC_COMMAND, args, installHint: INSTALL_HINT },
  });
  return { answers, cluster, entryChanges, changes: planKubeconfigChanges(set) };
}

/** The kubeconfig answers of a run without questions: the flags, and the defaults. */
function flagAnswers(input: SetupInput, issuerUrl: string, clientId: string): KubeconfigAnswers {
  return {
    cluster: clusterFromFlags(input),
    clusterCaFile: input.clusterCertificateAuthority,
    user: input.user ?? defaultUserName(issuerUrl, clientId),
    context: input.context ?? defaultContextName(input.cluster ?? defaultClusterName(input.server ?? '')),
    namespace: input.namespace,
    setCurrentContext: input.setCurrentContext,
  };
}

function checkError(check: CheckResult, cause?: unknown): KubeLoginError {
  return new KubeLoginError(check.code ?? 'check-failed', 'use this provider', check.text, {
    ...(check.fix !== undefined ? { fix: check.fix } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

// The discovery port's fixes speak for every command; setup's TLS fix names setup's own flag.
function discoveryFix(error: KubeLoginError): string | undefined {
  if (error.code === 'tls') {
    return 'pass the CA that signed the provider\'s certificate with --certificate-authority FILE (or --certificate-authority-data BASE64); it is also written into the kubeconfig';
  }
  return error.fix;
}

function describeMapping(rules: ReturnType<typeof resolveClaimMappingRules>): string {
  const parts = [`username claim ${rules.username.claim}`, `prefix ${JSON.stringify(rules.username.prefix)}`];
  if (rules.groups) parts.push(`groups claim ${rules.groups.claim}`, `prefix ${JSON.stringify(rules.groups.prefix)}`);
  else parts.push('no groups claim');
  return parts.join(', ');
}

function clusterFromFlags(input: SetupInput): ClusterChoice {
  if (input.server !== undefined) return { kind: 'new', name: input.cluster ?? defaultClusterName(input.server), server: input.server };
  return { kind: 'existing', name: input.cluster ?? '' };
}

// The new cluster's CA is embedded (certificate-authority-data), so the kubeconfig does not depend on the file staying put.
async function withClusterCa(deps: SetupDeps, cluster: ClusterChoice, caFile: string | undefined): Promise<ClusterChoice> {
  if (cluster.kind !== 'new' || caFile === undefined) return cluster;
  let text: string;
  try {
    text = await deps.readText(caFile);
  } catch (error) {
    throw new KubeLoginError('usage', `read the cluster CA file ${caFile}`, describe(error), { cause: error, fix: 'pass the PEM file of the API server\'s CA to --cluster-certificate-authority' });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new KubeLoginError('usage', `use ${caFile} as the cluster CA`, 'it holds no PEM certificate', { fix: 'pass the PEM file of the API server\'s CA (-----BEGIN CERTIFICATE-----)' });
  }
  return { ...cluster, certificateAuthorityData: Buffer.from(text, 'utf8').toString('base64') };
}

function endpointOf(set: KubeconfigSet, cluster: ClusterChoice): ClusterEndpoint | undefined {
  const entry = listEntries(set, 'clusters').find((candidate) => candidate.name === cluster.name);
  return entry === undefined ? undefined : clusterEndpoint(entry);
}

/** The provider CA for the API server configuration: the first --certificate-authority file. */
async function providerCa(deps: SetupDeps, tls: TlsOptions): Promise<CertificateAuthority | undefined> {
  const path = tls.certificateAuthorityFiles[0];
  if (path === undefined) return undefined;
  try {
    const { pem } = parseCertificateAuthority(await deps.readText(path), path, deps.clock.now());
    return { localPath: path, pem };
  } catch {
    return undefined;
  }
}
