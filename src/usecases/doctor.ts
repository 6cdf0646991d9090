// `kube-login doctor`: checks a kubeconfig context (or a set of get-token flags) from the exec stanza
// to what the API server makes of the token, printing ✓ ✗ ! per check with the fix, on stderr.
// Each check lives in src/usecases/doctor/; this file gathers the facts through ports, in order.
import { type ClaimMappingOptions, type ClaimMappingRules, resolveClaimMappingRules } from '../apiserver/claim-mapping-rules.js';
import { SUPPORTED_SIGNING_ALGS } from '../apiserver/signing-algs.js';
import type { SignatureResult, VerifySignature } from '../apiserver/verify-signature.js';
import { cacheKey } from '../cache/key.js';
import type { CacheLock } from '../cache/token-store.js';
import type { CachedTokens } from '../cache/token-set.js';
import { type GetTokenInput, cacheKeyInputOf } from '../config/get-token-input.js';
import { KubeLoginError, describe, isKubeLoginError } from '../errors.js';
import type { KubeconfigSet } from '../kube/kubeconfig-entries.js';
import { decodeJwtPayload } from '../oidc/jwt-claims.js';
import type { ProviderConnection } from '../oidc/provider-client.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { type DoctorCheck, fail, formatCheck, pass, skip, summarize, warn } from './doctor/check.js';
import { type DateSample, checkClockSkew } from './doctor/clock-skew.js';
import { type ReviewOutcome, checkReview } from './doctor/cluster-identity.js';
import {
  type CommandLocation,
  type ParsedArgs,
  checkExecApiVersion,
  checkExecArgs,
  checkExecCommand,
  checkExecEnv,
  checkInteractiveMode,
  commandLocation,
  checkExecThroughKubectl,
  execProgram,
  readExecArgs,
} from './doctor/exec-stanza.js';
import { type ClusterEndpoint, resolveContext } from './doctor/kube-context.js';
import { type KeychainProbe, checkKeychain } from './doctor/keychain.js';
import { checkAccessTokenMode } from './doctor/access-token-mode.js';
import { checkDiscovery } from './doctor/provider.js';
import { checkProxy, describeRoute, goProxyRoute, undiciProxyRoute } from './doctor/proxy.js';
import { checkRefresh, checkRefreshTokenHeld } from './doctor/refresh.js';
import { type CachedTokenFacts, audienceOf, checkCachedToken, checkTokenAudience, checkTokenIssuer, checkTokenSignature } from './doctor/token-claims.js';
import { redirectUrisOf } from './redirect-uris.js';
import { rememberSecrets } from './refresh.js';
import type { SessionCache } from './status.js';

/** The provider as doctor reached it: the connection, the `Date` of its discovery response, a JWKS verifier. */
export interface Discovered {
  connection: ProviderConnection;
  dateSample: DateSample | undefined;
  verifySignature: VerifySignature;
}

/** The ports of doctor; src/compose/doctor.ts builds the real ones. */
export interface DoctorDeps {
  clock: Clock;
  logger: Logger;
  /** Writes one block of report text (stderr). */
  report(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Loads the kubeconfigs as kubectl finds them (--kubeconfig, KUBECONFIG, ~/.kube/config). */
  loadKubeconfig(explicitPath: string | undefined): Promise<KubeconfigSet>;
  /** The path of the executable kubectl would run, or undefined when there is none. */
  findExecutable(location: CommandLocation, env: NodeJS.ProcessEnv): Promise<string | undefined>;
  /** Parses get-token args as get-token does (the same flags, the same errors). */
  parseGetTokenArgs(args: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs;
  /** Discovers the provider through kube-login's HTTP client, with the plugin's environment; throws KubeLoginError. */
  discover(input: GetTokenInput, env: NodeJS.ProcessEnv): Promise<Discovered>;
  probeKeychain(cacheDir: string): KeychainProbe;
  sessions(cacheDir: string): SessionCache;
  lock(cacheDir: string): CacheLock;
  /** POSTs a SelfSubjectReview with `token` (v1, then v1beta1 and v1alpha1 on 404, as kubectl auth whoami). */
  selfSubjectReview(cluster: ClusterEndpoint, token: string, env: NodeJS.ProcessEnv): Promise<ReviewOutcome>;
}

/** What doctor checks: a kubeconfig context (the current one when no name is given), or get-token flags. */
export type DoctorTarget = { kind: 'context'; kubeconfig?: string; context?: string } | { kind: 'flags'; input: GetTokenInput };

/** The input of doctor. */
export interface DoctorInput {
  target: DoctorTarget;
  /** How the API server maps claims, when the user says (--username-claim …): mismatches become ✗. */
  mapping: ClaimMappingOptions | undefined;
}

/** Every check, in the order printed. */
export interface DoctorReport {
  checks: DoctorCheck[];
}

/** What the context part hands on to the rest. */
interface Target {
  input: GetTokenInput;
  cluster: ClusterEndpoint | undefined;
  env: NodeJS.ProcessEnv;
  loginCommand: string;
  contextMode: boolean;
}

type Emit = (check: DoctorCheck) => void;

const NEEDS_TERMINAL = new Set(['authcode-keyboard', 'password']);

async function contextTarget(deps: DoctorDeps, target: Extract<DoctorTarget, { kind: 'context' }>, emit: Emit): Promise<Target | undefined> {
  let set: KubeconfigSet;
  try {
    set = await deps.loadKubeconfig(target.kubeconfig);
  } catch (error) {
    const kle = isKubeLoginError(error) ? error : undefined;
    emit(fail('kubeconfig', kle ? kle.message : `could not read the kubeconfig: ${describe(error)}`, kle?.fix ?? 'pass --kubeconfig FILE'));
    return undefined;
  }
  if (set.files.every((file) => !file.exists)) {
    emit(fail('kubeconfig', `there is no kubeconfig at ${set.location.paths.join(', ')}`, 'pass --kubeconfig FILE, set KUBECONFIG, or run `kube-login setup`'));
    return undefined;
  }
  const resolved = resolveContext(set, target.context);
  emit(resolved.check);
  if (!('context' in resolved)) return undefined;
  const { context } = resolved;
  const user = context.user.name;
  const exec = context.exec;
  if (!exec) {
    emit(fail('exec-command', `the user ${user} has no exec stanza, so kubectl does not run kube-login for this context`, `run \`kube-login setup\` for the context ${context.name}`));
    return undefined;
  }
  const command = typeof exec['command'] === 'string' ? exec['command'] : '';
  const location = command === '' ? undefined : commandLocation(command, context.user.path);
  const found = location ? await deps.findExecutable(location, deps.env) : undefined;
  emit(checkExecCommand(user, exec['command'], location, found, exec['installHint']));
  emit(checkExecApiVersion(user, exec['apiVersion']));
  const { check: envCheck, vars } = checkExecEnv(user, exec['env']);
  if (envCheck && (envCheck.mark !== 'pass' || Object.keys(vars).length > 0)) emit(envCheck);
  // kubectl gives the plugin its own environment plus exec.env (SPECS.md A.4).
  const env: NodeJS.ProcessEnv = { ...deps.env, ...vars };
  const args = readExecArgs(user, exec['args']);
  if ('check' in args) {
    emit(args.check);
    return undefined;
  }
  const throughKubectl = checkExecThroughKubectl(user, command, args.args);
  if (throughKubectl) emit(throughKubectl);
  const program = execProgram(command, args.args);
  const parsed = program.kind === 'other' ? undefined : deps.parseGetTokenArgs(program.getTokenArgs, env);
  const needsTerminal = parsed?.ok === true && NEEDS_TERMINAL.has(parsed.input.grantType) && !(parsed.input.grantType === 'password' && parsed.input.password);
  emit(checkInteractiveMode(user, exec['apiVersion'], exec['interactiveMode'], needsTerminal));
  emit(checkExecArgs(user, program, parsed));
  if (!parsed?.ok) return undefined;
  const kubeconfigFlag = target.kubeconfig ? `--kubeconfig ${target.kubeconfig} ` : '';
  return {
    input: parsed.input,
    cluster: context.cluster,
    env,
    loginCommand: `run \`kubectl ${kubeconfigFlag}--context ${context.name} get --raw /version\` in a terminal`,
    contextMode: true,
  };
}

/** Decodes the bearer token kubectl sends: the ID token, or the access token with --oidc-use-access-token. */
function bearerOf(tokens: CachedTokens | undefined, input: GetTokenInput): { token: string; claims: Record<string, unknown> | undefined; expiresAt: number | undefined } | undefined {
  const token = input.useAccessToken ? tokens?.accessToken : tokens?.idToken;
  if (!tokens || !token) return undefined;
  const claims = decodeJwtPayload(token);
  const exp = claims?.['exp'];
  const expiresAt = input.useAccessToken ? (tokens.accessTokenExpiresAt ?? (typeof exp === 'number' ? exp : undefined)) : tokens.idTokenExpiresAt;
  return { token, claims, expiresAt };
}

async function signatureCheck(discovered: Discovered | undefined, token: string): Promise<DoctorCheck> {
  const jwksUri = discovered?.connection.metadata['jwks_uri'];
  if (!discovered || typeof jwksUri !== 'string') return checkTokenSignature(undefined, discovered ? 'the provider publishes no jwks_uri' : 'the provider could not be read');
  try {
    return checkTokenSignature(await discovered.verifySignature(token, jwksUri, SUPPORTED_SIGNING_ALGS), undefined);
  } catch (error) {
    return checkTokenSignature(undefined, `the provider's keys could not be read: ${isKubeLoginError(error) ? error.reason : describe(error)}`);
  }
}

/** Whether --oidc-use-access-token would work with the real access token (iss, aud, JWKS signature). */
async function accessTokenModeCheck(discovered: Discovered, accessToken: string | undefined, input: GetTokenInput): Promise<DoctorCheck> {
  const jwksUri = discovered.connection.metadata['jwks_uri'];
  let signature: SignatureResult | undefined;
  if (accessToken && typeof jwksUri === 'string') {
    signature = await discovered.verifySignature(accessToken, jwksUri, SUPPORTED_SIGNING_ALGS).catch(() => undefined);
  }
  // kube-apiserver's --oidc-client-id (or the AuthenticationConfiguration audiences) must be in aud.
  return checkAccessTokenMode(accessToken, input.issuerUrl, [input.clientId], signature);
}

function mappingRules(mapping: ClaimMappingOptions | undefined, issuerUrl: string): ClaimMappingRules | undefined {
  if (!mapping || Object.values(mapping).every((value) => value === undefined)) return undefined;
  return resolveClaimMappingRules(mapping, issuerUrl);
}

/** Runs every check; the caller turns ✗ into exit code 11. */
export async function doctor(deps: DoctorDeps, input: DoctorInput): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const emit: Emit = (check) => {
    checks.push(check);
    deps.report(formatCheck(check));
  };
  const finish = (): DoctorReport => {
    deps.report(summarize(checks));
    return { checks };
  };

  let target: Target | undefined;
  if (input.target.kind === 'flags') {
    deps.report('kube-login doctor: checking the get-token flags given (pass --context NAME to check a kubeconfig context, its exec stanza and its cluster too)');
    target = { input: input.target.input, cluster: undefined, env: deps.env, loginCommand: 'run kube-login get-token with these flags in a terminal', contextMode: false };
  } else {
    target = await contextTarget(deps, input.target, emit);
  }
  if (!target) return finish();
  const { input: getToken, env } = target;
  const rules = mappingRules(input.mapping, getToken.issuerUrl);
  const issuer = new URL(getToken.issuerUrl);

  if (getToken.grantType === 'authcode' || getToken.grantType === 'auto') {
    const { uris, anyPort } = redirectUrisOf(getToken);
    if (anyPort) {
      emit(
        warn(
          'listen-address',
          `--listen-address uses port 0, so the redirect URI changes with every login: providers that match redirect URIs exactly (no RFC 8252 section 7.3 any-port rule, e.g. glewlwyd) show an error page and the login waits until its timeout`,
          `use fixed ports (--listen-address=127.0.0.1:8000 --listen-address=127.0.0.1:18000) and register http://${getToken.redirectHostname}:PORT/ for each at the provider${uris.length > 0 ? ` (now: ${uris.join(', ')})` : ''}`,
        ),
      );
    }
  }
  emit(checkProxy(getToken.issuerUrl, env));
  let discovered: Discovered | undefined;
  try {
    discovered = await deps.discover(getToken, env);
    emit(checkDiscovery(getToken.issuerUrl, { ok: true, metadata: discovered.connection.metadata }, undiciProxyRoute(issuer, env), getToken.tls.insecureSkipTlsVerify));
  } catch (error) {
    const kle = isKubeLoginError(error) ? error : new KubeLoginError('provider-rejected', 'read the discovery document', describe(error), { cause: error });
    emit(checkDiscovery(getToken.issuerUrl, { ok: false, error: kle }, undiciProxyRoute(issuer, env), getToken.tls.insecureSkipTlsVerify));
  }
  emit(discovered ? checkClockSkew(discovered.dateSample, issuer.host) : skip('clock-skew', 'the clock was not compared: the provider could not be read'));
  // Probing writes a throw-away item, which may prompt to unlock a keychain: only when one is wanted.
  const wantsKeychain = getToken.storage === 'auto' || getToken.storage === 'keyring';
  emit(checkKeychain(getToken.storage, wantsKeychain ? deps.probeKeychain(getToken.cacheDir) : undefined, getToken.cacheDir));

  const clusterSkipped = (why: string): void => {
    if (target?.cluster) emit(skip('cluster', `the API server was not asked: ${why}`));
  };
  if (getToken.storage === 'none') {
    emit(skip('cached-token', '--token-cache-storage none: nothing is cached to check'));
    clusterSkipped('nothing is cached');
    return finish();
  }
  const cache = deps.sessions(getToken.cacheDir);
  const key = cacheKey(cacheKeyInputOf(getToken));
  const session = await cache.find(key.id);
  let tokens: CachedTokens | undefined;
  if (session) {
    try {
      tokens = await cache.readTokens(session);
      rememberSecrets(deps.logger, tokens);
    } catch (error) {
      emit(fail('cached-token', `a token is cached, but it could not be read: ${isKubeLoginError(error) ? error.reason : describe(error)}`, isKubeLoginError(error) && error.fix ? error.fix : 'run `kube-login clean` and log in again'));
      clusterSkipped('the cached token could not be read');
      return finish();
    }
  }
  const bearer = bearerOf(tokens, getToken);
  const facts: CachedTokenFacts | undefined =
    session && tokens
      ? { storage: session.storage, where: session.entryFile, claims: bearer?.claims, expiresAt: bearer?.expiresAt, bearer: getToken.useAccessToken ? 'access token' : 'ID token' }
      : undefined;
  emit(checkCachedToken(facts, getToken.cacheDir, target.loginCommand, deps.clock.now()));
  if (!session || !tokens) {
    clusterSkipped('no token is cached');
    return finish();
  }
  if (bearer?.claims) {
    emit(checkTokenIssuer(bearer.claims, getToken.issuerUrl));
    if (getToken.useAccessToken) {
      const aud = audienceOf(bearer.claims['aud']) ?? [];
      emit(pass('token-audience', `the access token's aud is ${JSON.stringify(aud)}: the API server's --oidc-client-id must be one of these`));
    } else {
      emit(checkTokenAudience(bearer.claims, getToken.clientId));
    }
    emit(await signatureCheck(discovered, bearer.token));
  } else {
    emit(fail('cached-token', `the cached ${getToken.useAccessToken ? 'access' : 'ID'} token is ${bearer ? 'not a JWT' : 'missing'}: kube-apiserver accepts only JWTs`, getToken.useAccessToken ? 'drop --oidc-use-access-token unless the provider issues JWT access tokens (RFC 9068)' : 'run `kube-login logout` with these flags, then log in again'));
  }

  const lifetime = tokens.idTokenExpiresAt !== undefined && tokens.idTokenIssuedAt !== undefined ? Math.round((tokens.idTokenExpiresAt - tokens.idTokenIssuedAt) / 60) : undefined;
  emit(checkRefreshTokenHeld(tokens, getToken, lifetime));
  let current: CachedTokens | undefined = tokens;
  if (tokens.refreshToken) {
    if (discovered) {
      const refreshed = await checkRefresh({ cache, lock: deps.lock(getToken.cacheDir), clock: deps.clock, logger: deps.logger }, session, discovered.connection, getToken);
      emit(refreshed.check);
      current = refreshed.tokens ?? current;
      if (refreshed.failure === 'no-id-token') emit(await accessTokenModeCheck(discovered, current?.accessToken, getToken));
    } else {
      emit(skip('refresh', 'refreshing was not tried: the provider could not be read'));
    }
  }

  if (!target.cluster) {
    if (target.contextMode) emit(skip('cluster', "the API server was not asked: the context's cluster has no server"));
    else emit(skip('cluster', 'the API server was not asked: pass --context NAME to check what the cluster makes of the token'));
    return finish();
  }
  const latest = bearerOf(current, getToken);
  if (!latest || (latest.expiresAt !== undefined && latest.expiresAt * 1000 <= deps.clock.now())) {
    clusterSkipped('the cached token has expired and could not be refreshed');
    return finish();
  }
  const server = new URL(target.cluster.server);
  const route = target.cluster.proxyUrl ? `through the proxy ${target.cluster.proxyUrl} (the cluster's proxy-url)` : describeRoute(goProxyRoute(server, env));
  const outcome = await deps.selfSubjectReview(target.cluster, latest.token, env);
  for (const check of checkReview(outcome, target.cluster.server, route, latest.claims, { issuerUrl: getToken.issuerUrl, clientId: getToken.clientId, rules })) emit(check);
  return finish();
}

/** The error doctor exits with when a check failed (exit code 11). */
export function doctorFailure(report: DoctorReport): KubeLoginError | undefined {
  const failed = report.checks.filter((check) => check.mark === 'fail');
  if (failed.length === 0) return undefined;
  const names = [...new Set(failed.map((check) => check.id))].join(', ');
  return new KubeLoginError('check-failed', 'pass every doctor check', `${failed.length} check${failed.length === 1 ? '' : 's'} failed (${names})`, {
    fix: 'follow the fix under each ✗ above, then run kube-login doctor again',
  });
}
