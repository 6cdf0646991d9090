// Checks a mapping against the provider's discovery document (OIDC Discovery 1.0 §3, §4.3).
import { type Notice, warning } from './notice.js';
import { claimsUsed, type OidcMapping } from './oidc-mapping.js';
import { SUPPORTED_SIGNING_ALGS, type SigningAlg } from './signing-algs.js';

/** A problem that makes the configuration unusable: kube-apiserver would start but reject every token. */
export interface DiscoveryProblem {
  readonly text: string;
  readonly fix: string;
}

/** Errors and warnings from comparing the mapping with the discovery document. */
export interface DiscoveryCheck {
  readonly problems: readonly DiscoveryProblem[];
  readonly notices: readonly Notice[];
  /** The JWKS URI to verify token signatures with, when the document has one. */
  readonly jwksUri: string | undefined;
}

/**
 * `algorithms` are the ones kube-apiserver will accept: --signing-algs for the flags, all 9 for the
 * configuration file. The issuer is compared byte for byte, as go-oidc does ("oidc: issuer did not
 * match the issuer returned by provider"), so a trailing slash difference is an error.
 */
export function checkDiscovery(
  mapping: OidcMapping,
  discovery: Record<string, unknown>,
  accepted: { readonly algorithms: readonly SigningAlg[]; readonly fromFlags: boolean },
): DiscoveryCheck {
  const { algorithms } = accepted;
  const problems: DiscoveryProblem[] = [];
  const notices: Notice[] = [];
  const issuer = discovery['issuer'];
  if (typeof issuer !== 'string') {
    problems.push({ text: 'the discovery document has no issuer', fix: 'check that --oidc-issuer-url points at an OpenID Connect provider' });
  } else if (issuer !== mapping.issuerUrl) {
    const slash = issuer.replace(/\/$/, '') === mapping.issuerUrl.replace(/\/$/, '');
    problems.push({
      text: `the provider's discovery issuer is ${JSON.stringify(issuer)}, not ${JSON.stringify(mapping.issuerUrl)}${slash ? ' (they differ only by the trailing slash)' : ''}: kube-apiserver compares them byte for byte and would reject every token`,
      fix: `pass --oidc-issuer-url ${issuer}`,
    });
  }
  const jwksUri = typeof discovery['jwks_uri'] === 'string' ? discovery['jwks_uri'] : undefined;
  if (jwksUri === undefined) {
    problems.push({ text: 'the discovery document has no jwks_uri, so kube-apiserver cannot verify any signature', fix: 'fix the provider\'s discovery document' });
  }
  const supportedAlgs = stringList(discovery['id_token_signing_alg_values_supported']);
  if (supportedAlgs !== undefined) {
    const usable = algorithms.filter((alg) => supportedAlgs.includes(alg));
    if (usable.length === 0) {
      const offered = supportedAlgs.filter((alg): alg is SigningAlg => (SUPPORTED_SIGNING_ALGS as readonly string[]).includes(alg));
      problems.push({
        text: `the provider signs ID tokens with ${supportedAlgs.join(', ') || 'no algorithm'} (id_token_signing_alg_values_supported), and kube-apiserver would accept only ${algorithms.join(', ')}`,
        fix: offered.length > 0 ? `pass --signing-algs ${offered.join(',')}` : 'configure the provider to sign ID tokens with RS256 or ES256',
      });
    } else {
      const unused = algorithms.filter((alg) => !supportedAlgs.includes(alg));
      if (unused.length > 0 && accepted.fromFlags) {
        notices.push(warning(`the provider does not list ${unused.join(', ')} in id_token_signing_alg_values_supported`, `pass --signing-algs ${usable.join(',')}`));
      }
    }
  }
  const supportedClaims = stringList(discovery['claims_supported']);
  if (supportedClaims !== undefined) {
    for (const claim of claimsUsed(mapping)) {
      if (!supportedClaims.includes(claim)) {
        notices.push(warning(
          `the provider does not list the claim ${JSON.stringify(claim)} in claims_supported: its ID tokens may not carry it`,
          'check a real token with --check-token FILE (providers often omit custom claims such as groups from claims_supported)',
        ));
      }
    }
  }
  return { problems, notices, jwksUri };
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}
