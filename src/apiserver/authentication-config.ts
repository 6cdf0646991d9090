// The AuthenticationConfiguration object for a mapping (SPECS.md C.1–C.3).
import { KubeLoginError } from '../errors.js';
import { type KubernetesVersion, formatKubernetesVersion, isAtLeast } from './kubernetes-version.js';
import type { OidcMapping } from './oidc-mapping.js';

/** `apiserver.config.k8s.io/v1` or `/v1beta1`. */
export type AuthenticationConfigApiVersion = 'apiserver.config.k8s.io/v1' | 'apiserver.config.k8s.io/v1beta1';

/** StructuredAuthenticationConfiguration: beta (on by default) in 1.30, GA in 1.34 (kube_features.go). */
export const MIN_STRUCTURED_AUTHENTICATION_MINOR = 30;

/**
 * The apiVersion for a control plane version: v1 from 1.34, v1beta1 for 1.30–1.33. Below 1.30 the
 * feature is alpha and off by default (1.29), or absent, so this refuses and points to the flags.
 */
export function authenticationConfigApiVersion(version: KubernetesVersion): AuthenticationConfigApiVersion {
  if (!isAtLeast(version, MIN_STRUCTURED_AUTHENTICATION_MINOR)) {
    throw new KubeLoginError('usage', `write an AuthenticationConfiguration for Kubernetes ${formatKubernetesVersion(version)}`, 'structured authentication configuration needs kube-apiserver 1.30 or later (it is alpha and disabled by default in 1.29)', {
      fix: 'use --format flags (the --oidc-* flags), or upgrade the control plane to 1.30+',
    });
  }
  return isAtLeast(version, 34) ? 'apiserver.config.k8s.io/v1' : 'apiserver.config.k8s.io/v1beta1';
}

/** A JWTAuthenticator as written to the file: only fields kube-login sets (the decoder is strict). */
export interface JwtAuthenticatorDocument {
  issuer: {
    url: string;
    certificateAuthority?: string;
    audiences: string[];
    audienceMatchPolicy?: 'MatchAny';
  };
  claimValidationRules?: Array<{ claim: string; requiredValue: string }>;
  claimMappings: {
    username: { claim: string; prefix: string };
    groups?: { claim: string; prefix: string };
  };
}

/** The whole AuthenticationConfiguration document. */
export interface AuthenticationConfigurationDocument {
  apiVersion: AuthenticationConfigApiVersion;
  kind: 'AuthenticationConfiguration';
  jwt: JwtAuthenticatorDocument[];
}

/**
 * Builds the document. The file has no defaults, so every prefix is explicit ("prefix is required when
 * claim is set"), the CA is embedded as PEM content, and several audiences need `MatchAny`.
 */
export function buildAuthenticationConfiguration(mapping: OidcMapping, version: KubernetesVersion): AuthenticationConfigurationDocument {
  const apiVersion = authenticationConfigApiVersion(version);
  const { certificateAuthority, groups } = mapping;
  const jwt: JwtAuthenticatorDocument = {
    issuer: {
      url: mapping.issuerUrl,
      ...(certificateAuthority ? { certificateAuthority: certificateAuthority.pem } : {}),
      audiences: [...mapping.audiences],
      // validateAudiences: "audienceMatchPolicy must be MatchAny for multiple audiences".
      ...(mapping.audiences.length > 1 ? { audienceMatchPolicy: 'MatchAny' as const } : {}),
    },
    ...(mapping.requiredClaims.length > 0
      ? { claimValidationRules: mapping.requiredClaims.map((rule) => ({ claim: rule.claim, requiredValue: rule.value })) }
      : {}),
    claimMappings: {
      username: { claim: mapping.username.claim, prefix: mapping.username.prefix },
      ...(groups ? { groups: { claim: groups.claim, prefix: groups.prefix } } : {}),
    },
  };
  return { apiVersion, kind: 'AuthenticationConfiguration', jwt: [jwt] };
}
