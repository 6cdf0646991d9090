// Builds the real ports of doctor: the kubeconfig library, PATH lookup, get-token's own flag parser,
// discovery through kube-login's HTTP client (recording the provider's Date header), the keychain
// probe, the session cache and lock, and a SelfSubjectReview client that reaches the API server as
// kubectl does (the cluster's CA, tls-server-name, proxy-url or Go's proxy rules).
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import { createSignatureVerifier } from '../apiserver/verify-signature.js';
import { FileCacheLock } from '../cache/file-lock.js';
import { KeychainTokenStore } from '../cache/keychain-store.js';
import type { CliContext } from '../cli/context.js';
import { UNSUPPORTED_KUBELOGIN_FLAGS } from '../config/get-token-flags.js';
import { type GetTokenInput, toGetTokenInput } from '../config/get-token-input.js';
import { addGetTokenOptions, rawFlagsFrom } from '../cli/options/get-token-options.js';
import { KubeLoginError, describe, isKubeLoginError } from '../errors.js';
import { loadKubeconfigsReadOnly } from '../kube/kubeconfig-load.js';
import { locateKubeconfigs } from '../kube/kubeconfig-paths.js';
import { type Fetch, createFetch } from '../oidc/http.js';
import { translateNetworkError } from '../oidc/network-error.js';
import { connectProvider } from '../oidc/provider-client.js';
import { systemClock } from '../platform/clock.js';
import { createLogger } from '../platform/logger.js';
import { type Discovered, type DoctorInput, type DoctorReport, doctor, doctorFailure } from '../usecases/doctor.js';
import type { DateSample } from '../usecases/doctor/clock-skew.js';
import type { ReviewOutcome } from '../usecases/doctor/cluster-identity.js';
import type { CommandLocation, ParsedArgs } from '../usecases/doctor/exec-stanza.js';
import type { ClusterEndpoint } from '../usecases/doctor/kube-context.js';
import { goProxyRoute } from '../usecases/doctor/proxy.js';
import { createSessionCache } from './status.js';

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Go's exec.LookPath over PATH (and PATHEXT on Windows), or the file itself for a path. */
export async function findExecutable(location: CommandLocation, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (location.kind === 'file') return (await isExecutableFile(location.path)) ? location.path : undefined;
  const extensions = process.platform === 'win32' ? ['', ...(env['PATHEXT'] ?? '.COM;.EXE;.BAT;.CMD').split(';')] : [''];
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    // Go refuses results relative to the current directory (exec.ErrDot): skip empty and relative entries.
    if (dir === '' || dir === '.') continue;
    for (const extension of extensions) {
      const candidate = join(dir, location.name + extension);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Parses get-token args with get-token's own commander flags, giving the errors get-token would print. */
export function parseGetTokenArgs(args: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs {
  const command = addGetTokenOptions(
    new Command('get-token')
      .allowExcessArguments(false)
      .exitOverride()
      .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined }),
  );
  try {
    command.parse([...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const flag = /unknown option '--([^'=]+)/.exec(error.message)?.[1];
    const kubelogin = flag === undefined ? undefined : UNSUPPORTED_KUBELOGIN_FLAGS[flag];
    const reason = error.message.replace(/^error: /, '');
    return {
      ok: false,
      error: new KubeLoginError('usage', 'read the get-token args', kubelogin ? `--${flag} is a kubelogin flag that kube-login does not take` : reason, {
        fix: kubelogin ?? 'run `kube-login help get-token` for the flags, or `kube-login setup` to rewrite the exec stanza',
        cause: error,
      }),
    };
  }
  try {
    return { ok: true, input: toGetTokenInput(rawFlagsFrom(command), env, homedir()) };
  } catch (error) {
    if (isKubeLoginError(error)) return { ok: false, error };
    throw error;
  }
}

const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];

/**
 * undici's EnvHttpProxyAgent reads the proxy variables from process.env only. kubectl gives the plugin
 * exec.env on top of its own environment, so doctor (a one-shot process) adopts those variables.
 */
function adoptProxyVariables(env: NodeJS.ProcessEnv): void {
  for (const name of PROXY_VARIABLES) {
    const value = env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** Discovery through a fetch that remembers the first response's Date header. */
async function discover(input: GetTokenInput, env: NodeJS.ProcessEnv): Promise<Discovered> {
  adoptProxyVariables(env);
  const base = await createFetch(input.tls, env);
  let dateSample: DateSample | undefined;
  const recording: Fetch = async (url, init) => {
    const sentAtMs = systemClock.now();
    const response = await base(url, init);
    const date = response.headers.get('date');
    if (dateSample === undefined && date !== null) dateSample = { date, sentAtMs, receivedAtMs: systemClock.now() };
    return response;
  };
  const connection = await connectProvider({
    issuerUrl: input.issuerUrl,
    clientId: input.clientId,
    fetch: recording,
    ...(input.clientSecret ? { clientSecret: input.clientSecret } : {}),
  });
  return { connection, dateSample, verifySignature: createSignatureVerifier(base) };
}

interface UserInfoBody {
  status?: { userInfo?: { username?: unknown; groups?: unknown } };
  message?: unknown;
}

/** The dispatcher kubectl's transport would use: the cluster's CA (only it, as client-go does), its proxy. */
async function clusterDispatcher(cluster: ClusterEndpoint, env: NodeJS.ProcessEnv): Promise<Dispatcher> {
  const ca = cluster.certificateAuthorityFile ? await readFile(cluster.certificateAuthorityFile, 'utf8') : cluster.certificateAuthorityData;
  const tls = {
    ...(ca ? { ca } : {}),
    ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
    ...(cluster.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
  };
  const proxy = cluster.proxyUrl ?? goProxyRoute(new URL(cluster.server), env).proxy;
  return proxy ? new ProxyAgent({ uri: proxy, requestTls: tls }) : new Agent({ connect: tls });
}

/** POST selfsubjectreviews: v1, then v1beta1 and v1alpha1 on 404, as `kubectl auth whoami` does (SPECS.md E). */
export async function selfSubjectReview(cluster: ClusterEndpoint, token: string, env: NodeJS.ProcessEnv): Promise<ReviewOutcome> {
  let dispatcher: Dispatcher;
  try {
    dispatcher = await clusterDispatcher(cluster, env);
  } catch (error) {
    return { kind: 'tls', reason: `the cluster's certificate-authority could not be read: ${describe(error)}` };
  }
  try {
    for (const version of ['v1', 'v1beta1', 'v1alpha1']) {
      const url = `${cluster.server.replace(/\/+$/, '')}/apis/authentication.k8s.io/${version}/selfsubjectreviews`;
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' }),
          signal: AbortSignal.timeout(10_000),
          dispatcher,
        } as RequestInit);
      } catch (error) {
        const translated = translateNetworkError(error, 'reach the API server', url);
        if (translated?.code === 'tls') return { kind: 'tls', reason: translated.reason };
        return { kind: 'unreachable', reason: translated?.reason ?? describe(error) };
      }
      if (response.status === 404) continue;
      const body = (await response.json().catch(() => ({}))) as UserInfoBody;
      const message = typeof body.message === 'string' ? body.message : response.statusText;
      if (response.status === 200 || response.status === 201) {
        const info = body.status?.userInfo;
        const groups = Array.isArray(info?.groups) ? info.groups.filter((group): group is string => typeof group === 'string') : [];
        return { kind: 'user', username: typeof info?.username === 'string' ? info.username : '', groups, apiVersion: `authentication.k8s.io/${version}` };
      }
      if (response.status === 401) return { kind: 'unauthorized', message };
      if (response.status === 403) return { kind: 'forbidden', message };
      return { kind: 'error', status: response.status, message };
    }
    return { kind: 'not-served' };
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/** Runs doctor for real; throws KubeLoginError('check-failed') when a check failed. */
export async function runDoctor(ctx: CliContext, input: DoctorInput, verbose: boolean): Promise<DoctorReport> {
  const logger = createLogger(ctx.stderr, verbose);
  if (input.target.kind === 'flags') logger.redactor.add(input.target.input.clientSecret);
  const report = await doctor(
    {
      clock: systemClock,
      logger,
      // Every token doctor reads is registered with the redactor: no check line can carry one.
      report: (text) => ctx.stderr.write(logger.redactor.mask(text) + '\n'),
      env: ctx.env,
      loadKubeconfig: (explicitPath) => loadKubeconfigsReadOnly(locateKubeconfigs({ explicitPath, env: ctx.env })),
      findExecutable,
      parseGetTokenArgs: (args, env) => {
        const parsed = parseGetTokenArgs(args, env);
        if (parsed.ok) logger.redactor.add(parsed.input.clientSecret);
        return parsed;
      },
      discover,
      probeKeychain: (cacheDir) => {
        try {
          new KeychainTokenStore(cacheDir, logger).probe();
          return { ok: true };
        } catch (error) {
          return isKubeLoginError(error) ? { ok: false, reason: error.reason, fix: error.fix } : { ok: false, reason: describe(error), fix: undefined };
        }
      },
      sessions: (cacheDir) => createSessionCache(cacheDir, logger),
      lock: (cacheDir) => new FileCacheLock({ dir: cacheDir, logger }),
      selfSubjectReview,
    },
    input,
  );
  const failure = doctorFailure(report);
  if (failure) throw failure;
  return report;
}
