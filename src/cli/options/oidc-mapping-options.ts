// The mapping flags `apiserver-config` and `rbac` share, declared once so both map claims alike.
import { type Command, Option } from 'commander';
import { KubeLoginError } from '../../errors.js';

/** Appends each occurrence of a repeatable flag. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds --oidc-issuer-url, --username-claim/-prefix and --groups-claim/-prefix. */
export function addMappingOptions(command: Command, issuerHelp: string): Command {
  return command
    .addOption(new Option('--oidc-issuer-url <url>', issuerHelp))
    .addOption(new Option('--username-claim <claim>', 'claim that holds the username (kube-apiserver default: sub)'))
    .addOption(new Option('--username-prefix <prefix>', 'prefix for every username; - for none (default: none for email, "<issuer-url>#" otherwise)'))
    .addOption(new Option('--groups-claim <claim>', 'claim that holds the groups (a string or an array of strings)'))
    .addOption(new Option('--groups-prefix <prefix>', 'prefix for every group, for example oidc: (default: none)'));
}

/** The mapping values as given (undefined when absent). */
export interface MappingFlagValues {
  readonly issuerUrl?: string;
  readonly usernameClaim?: string;
  readonly usernamePrefix?: string;
  readonly groupsClaim?: string;
  readonly groupsPrefix?: string;
}

/** Reads the mapping flags back from commander's option values. */
export function readMappingOptions(values: Record<string, unknown>): MappingFlagValues {
  const text = (key: string): string | undefined => (typeof values[key] === 'string' ? values[key] : undefined);
  return pickDefined({
    issuerUrl: text('oidcIssuerUrl'),
    usernameClaim: text('usernameClaim'),
    usernamePrefix: text('usernamePrefix'),
    groupsClaim: text('groupsClaim'),
    groupsPrefix: text('groupsPrefix'),
  });
}

/**
 * A file flag that must never hold the token itself: command lines are readable by other local
 * users (/proc/PID/cmdline), so a value shaped like a JWT is refused without being echoed.
 */
export function tokenFileFlag(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(value.trim())) {
    throw new KubeLoginError('usage', `read ${flag}`, 'the value looks like an ID token, and a token on the command line is visible to other local users', {
      fix: `put the token in a file (chmod 600) and pass ${flag} FILE, or pipe it: … | kube-login … ${flag} -`,
    });
  }
  return value;
}

/** The object without its undefined values (so optional properties stay absent). */
export function pickDefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
