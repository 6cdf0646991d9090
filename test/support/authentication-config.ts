// Turns kube-apiserver --oidc-* style options, or an AuthenticationConfiguration file, into one
// JwtAuthenticatorConfig, applying each path's own prefix rules (SPECS.md B.1 and C.2).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ALL_SIGNING_ALGS, type JwtAuthenticatorConfig } from './jwt-authenticator.js';

/** The --oidc-* flags, as options (defaults differ from kube-apiserver only where noted). */
export interface OidcFlags {
  /** --oidc-issuer-url. */
  issuer: string;
  /** --oidc-client-id generalised: the token's aud must contain one of these. Default ['kube-login']. */
  audiences?: string[];
  /** --oidc-ca-file. */
  caFile?: string;
  /** --oidc-username-claim. Default sub. */
  usernameClaim?: string;
  /** --oidc-username-prefix: undefined/'' → `<issuer>#` unless the claim is email; '-' → none. */
  usernamePrefix?: string;
  /** --oidc-groups-claim. Default `groups` (kube-apiserver's default is none). */
  groupsClaim?: string;
  /** --oidc-groups-prefix. Default none. */
  groupsPrefix?: string;
  /** --oidc-required-claim key=value pairs. */
  requiredClaims?: Record<string, string>;
  /** --oidc-signing-algs. Default RS256. */
  signingAlgs?: string[];
}

/** The flags path, including the legacy username prefix rule of ToAuthenticationConfig. */
export function configFromFlags(flags: OidcFlags): JwtAuthenticatorConfig {
  const usernameClaim = flags.usernameClaim ?? 'sub';
  let usernamePrefix = flags.usernamePrefix ?? '';
  if (usernamePrefix === '' && usernameClaim !== 'email') usernamePrefix = `${flags.issuer}#`;
  if (usernamePrefix === '-') usernamePrefix = '';
  const groupsClaim = flags.groupsClaim ?? 'groups';
  return {
    issuer: flags.issuer,
    audiences: flags.audiences ?? ['kube-login'],
    certificateAuthority: flags.caFile ? readFileSync(flags.caFile, 'utf8') : undefined,
    signingAlgs: flags.signingAlgs ?? ['RS256'],
    username: { claim: usernameClaim, prefix: usernamePrefix },
    groups: groupsClaim === '' ? undefined : { claim: groupsClaim, prefix: flags.groupsPrefix ?? '' },
    requiredClaims: Object.entries(flags.requiredClaims ?? {}).map(([claim, requiredValue]) => ({ claim, requiredValue })),
  };
}

type Node = Record<string, unknown>;

const API_VERSIONS = ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1beta1', 'apiserver.config.k8s.io/v1alpha1'];

function invalid(message: string): never {
  throw new Error(`invalid AuthenticationConfiguration: ${message}`);
}

/** Like the apiserver's strict decoder: unknown fields are errors; known-but-unsupported ones too. */
function object(value: unknown, path: string, known: string[], unsupported: string[] = []): Node {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(`${path} must be an object`);
  for (const key of Object.keys(value)) {
    if (unsupported.includes(key)) invalid(`${path}.${key} is valid but not supported by the stand-in API server`);
    if (!known.includes(key)) invalid(`strict decoding error: unknown field "${path}.${key}"`);
  }
  return value as Node;
}

function requiredText(node: Node, key: string, path: string): string {
  const value = node[key];
  if (typeof value !== 'string') invalid(`${path}.${key} must be a string`);
  return value;
}

function text(node: Node, key: string, path: string): string | undefined {
  return node[key] === undefined ? undefined : requiredText(node, key, path);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) invalid(`${path} must be a list`);
  return value as unknown[];
}

function claimMapping(value: unknown, path: string): { claim: string; prefix: string } {
  const node = object(value, path, ['claim', 'prefix'], ['expression']);
  const claim = requiredText(node, 'claim', path);
  // No defaulting in the file: "prefix is required when claim is set".
  if (node.prefix === undefined) invalid(`${path}.prefix: prefix is required when claim is set. It can be set to an empty string to disable prefixing`);
  return { claim, prefix: requiredText(node, 'prefix', path) };
}

/** Parses an AuthenticationConfiguration YAML file (its first jwt entry); throws on what it cannot honour. */
export function configFromAuthenticationFile(file: string): JwtAuthenticatorConfig {
  const root = object(parse(readFileSync(file, 'utf8')), '', ['apiVersion', 'kind', 'jwt'], ['anonymous']);
  if (!API_VERSIONS.includes(String(root.apiVersion))) invalid(`apiVersion must be one of ${API_VERSIONS.join(', ')}`);
  if (root.kind !== 'AuthenticationConfiguration') invalid('kind must be AuthenticationConfiguration');
  const authenticators = list(root.jwt, 'jwt');
  if (authenticators.length !== 1) invalid('the stand-in API server supports exactly one jwt authenticator');

  const jwt = object(authenticators[0], 'jwt[0]', ['issuer', 'claimMappings', 'claimValidationRules'], ['userValidationRules']);
  const issuer = object(jwt.issuer, 'jwt[0].issuer',
    ['url', 'discoveryURL', 'certificateAuthority', 'audiences', 'audienceMatchPolicy'], ['egressSelectorType']);
  const audiences = issuer.audiences;
  if (!isStringList(audiences) || audiences.length === 0) invalid('jwt[0].issuer.audiences must be a non-empty list of strings');
  const policy = text(issuer, 'audienceMatchPolicy', 'jwt[0].issuer') ?? '';
  if (audiences.length > 1 && policy !== 'MatchAny') invalid('audienceMatchPolicy must be MatchAny for multiple audiences');

  const mappings = object(jwt.claimMappings, 'jwt[0].claimMappings', ['username', 'groups', 'uid'], ['extra']);
  if (mappings.username === undefined) invalid('jwt[0].claimMappings.username is required');
  const uid = mappings.uid === undefined ? undefined : object(mappings.uid, 'jwt[0].claimMappings.uid', ['claim'], ['expression']);

  const rules = list(jwt.claimValidationRules ?? [], 'jwt[0].claimValidationRules');
  const requiredClaims = rules.map((rule, index) => {
    const path = `jwt[0].claimValidationRules[${index}]`;
    const node = object(rule, path, ['claim', 'requiredValue'], ['expression', 'message']);
    // An unset requiredValue means the claim must equal "".
    return { claim: requiredText(node, 'claim', path), requiredValue: text(node, 'requiredValue', path) ?? '' };
  });

  return {
    issuer: requiredText(issuer, 'url', 'jwt[0].issuer'),
    discoveryUrl: text(issuer, 'discoveryURL', 'jwt[0].issuer'),
    audiences,
    certificateAuthority: text(issuer, 'certificateAuthority', 'jwt[0].issuer'),
    signingAlgs: ALL_SIGNING_ALGS,
    username: claimMapping(mappings.username, 'jwt[0].claimMappings.username'),
    groups: mappings.groups === undefined ? undefined : claimMapping(mappings.groups, 'jwt[0].claimMappings.groups'),
    uidClaim: uid ? requiredText(uid, 'claim', 'jwt[0].claimMappings.uid') : undefined,
    requiredClaims,
  };
}
