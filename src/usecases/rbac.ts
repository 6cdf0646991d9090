// `kube-login rbac`: a RoleBinding (or ClusterRoleBinding) for OIDC users and groups, named exactly as
// kube-apiserver will name them under the same mapping options.
import { KubeLoginError } from '../errors.js';
import { type ClaimMappingOptions, resolveGroupsRule, resolveUsernameRule } from '../apiserver/claim-mapping-rules.js';
import { decodeCompactJwt } from '../apiserver/compact-jwt.js';
import { validateIssuerUrl } from '../apiserver/issuer-url.js';
import { kubectlCreateBindingCommand } from '../apiserver/kubectl-command.js';
import { groupsNotices, mappingNotices, usernameNotices } from '../apiserver/mapping-notices.js';
import { type Notice, note } from '../apiserver/notice.js';
import { type BindingSpec, type RoleReference, buildBinding, defaultBindingName, validateBindingSpec } from '../apiserver/rbac-binding.js';
import { bindingNotices } from '../apiserver/rbac-notices.js';
import { type DerivedSubjects, subjectsFromClaimValues, subjectsFromToken } from '../apiserver/rbac-subjects.js';
import { toYamlText } from '../apiserver/yaml-text.js';
import type { Logger } from '../platform/logger.js';
import { type OutputPorts, printNotices, readTokenSource, writeResult } from './apiserver-output.js';

/** The rbac command's input. `users` and `groups` are raw claim values; the prefixes are added here. */
export interface RbacInput {
  readonly mapping: ClaimMappingOptions & { readonly issuerUrl?: string };
  readonly users: readonly string[];
  readonly groups: readonly string[];
  /** --from-token FILE, or `-` for stdin. */
  readonly fromToken?: string;
  readonly role: RoleReference;
  readonly clusterWide: boolean;
  readonly namespace?: string;
  readonly name?: string;
  /** Print the `kubectl create …binding` command instead of YAML. */
  readonly kubectl: boolean;
  readonly output?: string;
}

/** The ports of rbac. */
export interface RbacDeps extends OutputPorts {
  readonly logger: Logger;
}

/** Builds, checks and writes the binding; warnings go to stderr. Returns the binding spec (for tests). */
export async function rbac(deps: RbacDeps, input: RbacInput): Promise<BindingSpec> {
  const issuerFlag = input.mapping.issuerUrl === undefined ? undefined : validateIssuerUrl(input.mapping.issuerUrl);
  const groupsRule = resolveGroupsRule(input.mapping);
  const notices: Notice[] = [];
  let derived: DerivedSubjects;
  if (input.fromToken !== undefined) {
    if (input.users.length > 0) {
      throw new KubeLoginError('usage', 'choose the user to bind', '--from-token and --user both name the user', { fix: 'pass one of them' });
    }
    const token = await readTokenSource(deps, input.fromToken, '--from-token');
    deps.logger.redactor.add(token);
    const decoded = decodeCompactJwt(token);
    if (!decoded.ok) {
      throw new KubeLoginError('usage', 'read the ID token given to --from-token', `it is not a compact JWT (${decoded.reason})`, { fix: 'pass the ID token itself (header.payload.signature)' });
    }
    const iss = decoded.jwt.claims['iss'];
    const issuer = issuerFor(issuerFlag, iss, notices);
    const username = resolveUsernameRule(input.mapping, issuer);
    derived = subjectsFromToken({ username, groups: groupsRule }, decoded.jwt.claims, input.groups);
    notices.push(...mappingNotices({ username, groups: groupsRule }));
  } else {
    const username = input.users.length > 0 ? resolveUsernameRule(input.mapping, issuerFlag) : undefined;
    derived = subjectsFromClaimValues({ username, groups: groupsRule }, input.users, input.groups);
    if (username) notices.push(...usernameNotices(username));
    if (input.groups.length > 0) notices.push(...groupsNotices(groupsRule));
  }
  notices.push(...derived.notices);
  const spec: BindingSpec = {
    clusterWide: input.clusterWide,
    name: input.name ?? defaultBindingName(input.role.name, derived.subjects, derived.rawNames),
    namespace: input.namespace,
    roleRef: input.role,
    subjects: derived.subjects,
  };
  validateBindingSpec(spec);
  notices.push(...bindingNotices(spec));
  if (input.name === undefined) notices.push(note(`the binding is named ${spec.name}; pass --name to choose another`));
  printNotices(deps.logger, notices);
  const content = input.kubectl
    ? kubectlCreateBindingCommand(spec)
    : toYamlText(buildBinding(spec));
  await writeResult(deps, input.output, content);
  return spec;
}

/** The issuer for the `<issuer>#` default: --oidc-issuer-url, else the token's iss; they must agree. */
function issuerFor(flag: string | undefined, iss: unknown, notices: Notice[]): string | undefined {
  if (flag !== undefined) {
    if (iss !== flag) {
      throw new KubeLoginError('check-failed', 'derive subjects from the token', `the token's iss ${JSON.stringify(iss)} is not --oidc-issuer-url ${JSON.stringify(flag)}, so kube-apiserver would not apply this mapping to it`, {
        fix: 'use a token from that issuer, or correct --oidc-issuer-url',
      });
    }
    return flag;
  }
  if (typeof iss !== 'string') return undefined;
  notices.push(note(`no --oidc-issuer-url: using the token's iss ${JSON.stringify(iss)}`));
  return iss;
}
