// `--format eks`: the `aws eks associate-identity-provider-config` command (SPECS.md D, EKS).
import { KubeLoginError } from '../errors.js';
import { requireSingleAudience } from './apiserver-wiring.js';
import type { FormatContext, GeneratedConfig } from './generated-config.js';
import { type Notice, note, warning } from './notice.js';
import { multilineCommand, shellQuote } from './shell-quote.js';
import { usernamePrefixFlagValue } from './username-prefix.js';

/** The OidcIdentityProviderConfigRequest fields, in the API's spelling. */
interface EksOidcConfig {
  identityProviderConfigName: string;
  issuerUrl: string;
  clientId: string;
  usernameClaim: string;
  usernamePrefix: string;
  groupsClaim?: string;
  groupsPrefix?: string;
  requiredClaims?: Record<string, string>;
}

/**
 * EKS runs kube-apiserver itself: it fetches the issuer over the internet, trusts only public CAs
 * and has no CA or signing-algorithm option, so those become warnings. The --oidc value is JSON,
 * which the AWS CLI accepts for structures and which needs no shorthand escaping.
 */
export function renderEks(ctx: FormatContext): GeneratedConfig {
  const { mapping } = ctx;
  if (ctx.via === 'authentication-config') {
    throw new KubeLoginError('usage', 'write the EKS configuration', 'EKS does not take an AuthenticationConfiguration file', {
      fix: 'drop --via authentication-config; EKS takes the settings through associate-identity-provider-config',
    });
  }
  requireSingleAudience(mapping, 'eks');
  const config: EksOidcConfig = {
    identityProviderConfigName: ctx.eksConfigName ?? 'kube-login',
    issuerUrl: mapping.issuerUrl,
    clientId: mapping.audiences[0] ?? '',
    usernameClaim: mapping.username.claim,
    // Same rule as the flags ("-" disables prefixing); written explicitly.
    usernamePrefix: usernamePrefixFlagValue(mapping.username),
  };
  if (mapping.groups) {
    config.groupsClaim = mapping.groups.claim;
    if (mapping.groups.prefix !== '') config.groupsPrefix = mapping.groups.prefix;
  }
  if (mapping.requiredClaims.length > 0) {
    config.requiredClaims = Object.fromEntries(mapping.requiredClaims.map((rule) => [rule.claim, rule.value]));
  }
  const cluster = ctx.eksClusterName === undefined ? '"${CLUSTER_NAME:?set CLUSTER_NAME to the EKS cluster name}"' : shellQuote(ctx.eksClusterName);
  const content = multilineCommand(['aws', 'eks', 'associate-identity-provider-config'], [
    `--cluster-name ${cluster}`,
    `--oidc ${shellQuote(JSON.stringify(config))}`,
  ]);
  const notices: Notice[] = [
    warning(
      'EKS fetches the issuer from the internet and has no CA option: the issuer must be reachable publicly over https with a certificate from a public CA',
      'serve the provider on a public https endpoint with a publicly trusted certificate',
    ),
  ];
  if (mapping.certificateAuthority) {
    notices.push(warning(`--ca-file ${mapping.certificateAuthority.localPath} is not used: EKS has no CA option`, 'use a publicly trusted certificate for the provider'));
  }
  if (isPrivateHost(mapping.issuerUrl)) {
    notices.push(warning(`the issuer host of ${mapping.issuerUrl} is not reachable from the internet, so EKS cannot fetch its discovery document`, 'use the provider\'s public URL'));
  }
  if (mapping.signingAlgsExplicit && mapping.signingAlgs.join(',') !== 'RS256') {
    notices.push(warning(`--signing-algs ${mapping.signingAlgs.join(',')} has no EKS equivalent`, 'make sure the provider signs ID tokens with RS256'));
  }
  notices.push(note('EKS takes several minutes to associate the provider; check with: aws eks describe-identity-provider-config'));
  return { content, notices };
}

function isPrivateHost(issuerUrl: string): boolean {
  const host = new URL(issuerUrl).hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  if (host === '::1' || /^f[cd][0-9a-f]{2}:/i.test(host) || /^fe80:/i.test(host)) return true;
  const octets = host.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet))) return false;
  const [a = 0, b = 0] = octets;
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}
