// The normalized OIDC mapping: one value every format and the token check are built from.
import { KubeLoginError } from '../errors.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { type ClaimMappingOptions, type ClaimMappingRules, resolveClaimMappingRules } from './claim-mapping-rules.js';
import { validateIssuerUrl } from './issuer-url.js';
import { type RequiredClaim, parseRequiredClaims } from './required-claims.js';
import { DEFAULT_SIGNING_ALGS, type SigningAlg, parseSigningAlgs } from './signing-algs.js';

/** The apiserver-config options that describe the mapping, as typed on the command line. */
export interface OidcMappingOptions extends ClaimMappingOptions {
  readonly issuerUrl: string;
  readonly clientIds: readonly string[];
  readonly requiredClaims?: readonly string[];
  readonly signingAlgs?: readonly string[];
}

/** What kube-apiserver is told: issuer, audiences, claim mappings, required claims, algorithms and CA. */
export interface OidcMapping extends ClaimMappingRules {
  readonly issuerUrl: string;
  readonly audiences: readonly string[];
  readonly requiredClaims: readonly RequiredClaim[];
  readonly signingAlgs: readonly SigningAlg[];
  /** False when --signing-algs was not given (the flags' RS256 default applies). */
  readonly signingAlgsExplicit: boolean;
  readonly certificateAuthority: CertificateAuthority | undefined;
}

/** Validates the options and resolves every default the way kube-apiserver would. */
export function buildOidcMapping(options: OidcMappingOptions, certificateAuthority?: CertificateAuthority): OidcMapping {
  const issuerUrl = validateIssuerUrl(options.issuerUrl);
  const audiences = validateAudiences(options.clientIds);
  const rules = resolveClaimMappingRules(options, issuerUrl);
  const requiredClaims = parseRequiredClaims(options.requiredClaims ?? []);
  const explicitAlgs = (options.signingAlgs ?? []).some((value) => value.trim() !== '');
  const signingAlgs = explicitAlgs ? parseSigningAlgs(options.signingAlgs ?? []) : [...DEFAULT_SIGNING_ALGS];
  return {
    issuerUrl,
    audiences,
    ...rules,
    requiredClaims,
    signingAlgs,
    signingAlgsExplicit: explicitAlgs,
    certificateAuthority,
  };
}

/** Every claim name the mapping reads, for the `claims_supported` check. */
export function claimsUsed(mapping: OidcMapping): string[] {
  const claims = [mapping.username.claim];
  if (mapping.groups) claims.push(mapping.groups.claim);
  for (const required of mapping.requiredClaims) claims.push(required.claim);
  return [...new Set(claims)];
}

function validateAudiences(clientIds: readonly string[]): string[] {
  if (clientIds.length === 0) {
    // Same rule as the flags: `oidc-issuer-url and oidc-client-id must be specified together`.
    throw new KubeLoginError('usage', 'read --oidc-client-id', 'no client ID was given; it is the audience kube-apiserver requires in every ID token', {
      fix: 'pass --oidc-client-id ID (repeat it for several audiences)',
    });
  }
  const audiences: string[] = [];
  for (const id of clientIds) {
    if (id === '') {
      throw new KubeLoginError('usage', 'read --oidc-client-id', 'a client ID is empty', { fix: 'remove the empty --oidc-client-id' });
    }
    if (audiences.includes(id)) {
      throw new KubeLoginError('usage', 'read --oidc-client-id', `the client ID ${JSON.stringify(id)} is given twice (kube-apiserver rejects duplicate audiences)`, {
        fix: 'give each audience once',
      });
    }
    audiences.push(id);
  }
  return audiences;
}
