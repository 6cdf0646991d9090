// `kube-login apiserver-config`: build the API server's OIDC configuration, check it against the
// provider and, optionally, against a real ID token, then write it. Reads top to bottom.
import { KubeLoginError, describe } from '../errors.js';
import { parseCertificateAuthority, type CertificateAuthority } from '../apiserver/certificate-authority.js';
import { checkDiscovery } from '../apiserver/discovery-check.js';
import type { DiscoverProvider } from '../apiserver/discovery-source.js';
import type { FormatName } from '../apiserver/format-names.js';
import { renderFormat, usesAuthenticationConfig } from '../apiserver/formats.js';
import type { FormatContext } from '../apiserver/generated-config.js';
import { formatKubernetesVersion } from '../apiserver/kubernetes-version.js';
import { mappingNotices } from '../apiserver/mapping-notices.js';
import { type Notice, note } from '../apiserver/notice.js';
import { type OidcMapping, type OidcMappingOptions, buildOidcMapping } from '../apiserver/oidc-mapping.js';
import { SUPPORTED_SIGNING_ALGS, type SigningAlg } from '../apiserver/signing-algs.js';
import { SIGNATURE_REJECTION, type TokenVerdict, mapVerifiedToken, precheckToken } from '../apiserver/token-check.js';
import type { VerifySignature } from '../apiserver/verify-signature.js';
import type { Clock } from '../platform/clock.js';
import type { Logger, TextSink } from '../platform/logger.js';
import { type OutputPorts, printNotices, readTokenSource, writeResult } from './apiserver-output.js';

/** Everything `apiserver-config` was asked for: the format context (with the mapping as options), and the command's own flags. */
export interface ApiserverConfigInput extends Omit<FormatContext, 'mapping'> {
  readonly mapping: OidcMappingOptions;
  /** --ca-file: read here, embedded in the configuration file, trusted for discovery. */
  readonly caFile?: string;
  readonly format: FormatName;
  /** --output FILE; stdout when absent. */
  readonly output?: string;
  readonly offline: boolean;
  /** --quiet: no `note:` lines (warnings still print). */
  readonly quiet?: boolean;
  /** --check-token FILE, or `-` for stdin. */
  readonly checkToken?: string;
}

/** The provider, as far as apiserver-config talks to it. */
export interface ProviderPorts {
  readonly discover: DiscoverProvider;
  readonly verifySignature: VerifySignature;
}

/** The ports of apiserver-config. `provider` is built once the CA file is known (it is trusted for TLS). */
export interface ApiserverConfigDeps extends OutputPorts {
  readonly provider: (caFile: string | undefined) => Promise<ProviderPorts>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stdout: TextSink;
}

/** What was written and what the token check found (for tests; the user reads stdout/stderr). */
export interface ApiserverConfigResult {
  readonly content: string;
  readonly verdict: TokenVerdict | undefined;
}

/** Runs the command: any error is thrown before anything is written, so --output is never partial. */
export async function apiserverConfig(deps: ApiserverConfigDeps, input: ApiserverConfigInput): Promise<ApiserverConfigResult> {
  const { logger } = deps;
  // 1. The options alone, before touching any file.
  const withoutCa = buildOidcMapping(input.mapping);
  // 2. The CA, as kube-apiserver will read it.
  const ca = input.caFile === undefined ? undefined : await readCertificateAuthority(deps, input.caFile);
  const mapping: OidcMapping = { ...withoutCa, certificateAuthority: ca?.authority };
  // 3. The format (version gates and what each distribution can express).
  const ctx = formatContext(input, mapping);
  const generated = renderFormat(input.format, ctx);
  const notices: Notice[] = [...mappingNotices(mapping), ...(ca?.warnings ?? []), ...generated.notices];
  // 4. The token to check, read now so that a bad file fails before any network call.
  const token = input.checkToken === undefined ? undefined : await readTokenSource(deps, input.checkToken, '--check-token');
  if (token !== undefined) logger.redactor.add(token);
  const algorithms: readonly SigningAlg[] = usesAuthenticationConfig(input.format, ctx) ? SUPPORTED_SIGNING_ALGS : mapping.signingAlgs;
  // 5. The provider: discovery document, then the token's signature.
  let jwksUri: string | undefined;
  let provider: ProviderPorts | undefined;
  if (input.offline) {
    notices.push(note('--offline: the provider was not contacted, so the issuer, algorithms, claims and token signature were not checked against it'));
  } else {
    provider = await deps.provider(input.caFile);
    const discovery = await provider.discover(mapping.issuerUrl);
    const check = checkDiscovery(mapping, discovery, { algorithms, fromFlags: !usesAuthenticationConfig(input.format, ctx) });
    notices.push(...check.notices);
    const [first, ...others] = check.problems;
    if (first) {
      printNotices(logger, input.quiet === true ? notices.filter((notice) => notice.level === 'warning') : notices);
      for (const other of others) logger.warn(`${other.text}\n  fix: ${other.fix}`);
      throw new KubeLoginError('check-failed', 'validate the configuration against the provider', first.text, { fix: first.fix });
    }
    jwksUri = check.jwksUri;
  }
  printNotices(logger, input.quiet === true ? notices.filter((notice) => notice.level === 'warning') : notices);
  // 6. The token, as kube-apiserver would take it.
  let verdict: TokenVerdict | undefined;
  if (token !== undefined) {
    verdict = await checkToken(deps, { token, mapping, algorithms, provider, jwksUri });
    reportVerdict(logger, verdict, formatKubernetesVersion(input.version), provider !== undefined);
  }
  // 7. The output, only now.
  await writeResult(deps, input.output, generated.content);
  return { content: generated.content, verdict };
}

function formatContext(input: ApiserverConfigInput, mapping: OidcMapping): FormatContext {
  const { mapping: _options, caFile: _caFile, format: _format, output: _output, offline: _offline, quiet: _quiet, checkToken: _checkToken, ...context } = input;
  return { ...context, mapping };
}

async function readCertificateAuthority(deps: ApiserverConfigDeps, path: string): Promise<{ authority: CertificateAuthority; warnings: Notice[] }> {
  let text: string;
  try {
    text = await deps.readText(path);
  } catch (error) {
    throw new KubeLoginError('usage', `read the CA file ${path}`, describe(error), {
      cause: error,
      fix: 'pass a readable PEM file with --ca-file (the CA that signed the provider\'s TLS certificate)',
    });
  }
  const { pem, summary } = parseCertificateAuthority(text, path, deps.clock.now());
  return { authority: { localPath: path, pem }, warnings: summary.warnings.map((text) => ({ level: 'warning', text })) };
}

interface TokenCheckRun {
  readonly token: string;
  readonly mapping: OidcMapping;
  readonly algorithms: readonly SigningAlg[];
  readonly provider: ProviderPorts | undefined;
  readonly jwksUri: string | undefined;
}

/** precheck → signature (unless offline) → claim mapping: the order of kube-apiserver's AuthenticateToken. */
async function checkToken(deps: ApiserverConfigDeps, run: TokenCheckRun): Promise<TokenVerdict> {
  const pre = precheckToken({ token: run.token, mapping: run.mapping, algorithms: run.algorithms, nowMs: deps.clock.now() });
  if (pre.outcome !== 'verify-signature') return pre;
  if (run.provider && run.jwksUri !== undefined) {
    const signature = await run.provider.verifySignature(run.token, run.jwksUri, run.algorithms);
    if (!signature.ok) {
      deps.logger.debug(`signature check: ${signature.detail}`);
      return { outcome: 'rejected', reason: SIGNATURE_REJECTION, notes: [] };
    }
  }
  return mapVerifiedToken(pre.jwt, run.mapping);
}

/** Accepted: the user on stderr, as `kubectl auth whoami` shows it. Otherwise: a check-failed error. */
function reportVerdict(logger: Logger, verdict: TokenVerdict, version: string, signatureChecked: boolean): void {
  for (const text of verdict.notes) logger.info(`kube-login: note: ${text}`);
  if (verdict.outcome === 'accepted') {
    logger.info(`kube-login: token check: kube-apiserver ${version} would authenticate this token${signatureChecked ? '' : ' (signature not checked: --offline)'} as`);
    logger.info(`  Username: ${verdict.user.username}`);
    logger.info(`  Groups:   ${goGroups(verdict.user.groups)}`);
    return;
  }
  const fix =
    verdict.outcome === 'skipped'
      ? 'use a token from this provider (its iss must equal --oidc-issuer-url byte for byte)'
      : 'fix the provider\'s claims or the mapping options, then check a new token';
  throw new KubeLoginError('check-failed', 'authenticate the ID token as kube-apiserver would', verdict.reason, { fix });
}

/** `kubectl auth whoami` prints groups with Go's %v: `[a b]`. */
function goGroups(groups: readonly string[]): string {
  return `[${groups.join(' ')}]`;
}
