// A strict parser of get-token flags for the cache-hit fast path: it gives up on anything unusual,
// and the full commander CLI then handles (and reports) the command line.
import { GET_TOKEN_FLAGS, type FlagSpec, type RawGetTokenFlags, flagValues } from './get-token-flags.js';

const BY_NAME = new Map<string, FlagSpec>(GET_TOKEN_FLAGS.map((flag) => [flag.name, flag]));
const BY_SHORT = new Map<string, FlagSpec>(GET_TOKEN_FLAGS.filter((flag) => flag.short).map((flag) => [flag.short as string, flag]));

/** Adds one occurrence of a flag to the raw flags, splitting its value as the flag's kind says. */
export function addFlagValue(raw: RawGetTokenFlags, flag: FlagSpec, value: string | boolean): void {
  if (flag.kind === 'boolean') raw.booleans[flag.name] = value === true || value === 'true';
  else if (flag.kind === 'string') raw.strings[flag.name] = String(value);
  else raw.lists[flag.name] = [...(raw.lists[flag.name] ?? []), ...flagValues(flag.kind, String(value))];
}

const VALUE_FLAGS = new Set(GET_TOKEN_FLAGS.filter((flag) => flag.kind !== 'boolean').flatMap((flag) => [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])]));

/**
 * kubelogin's klog verbosity as its kubeconfigs carry it, in pflag's spellings (`-v1`, `-v=1`,
 * `--v=1`, `--v 1`), becomes our one level: `--verbose` from level 1 up, nothing for level 0.
 * Values of flags that take one (`--password -v1`) and everything after `--` are left alone.
 */
export function normalizeVerbosityArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    let level: string | undefined = /^(?:-v=?|--v=)(\d+)$/.exec(arg)?.[1];
    if (level === undefined && arg === '--v' && /^\d+$/.test(args[i + 1] ?? '')) level = args[++i];
    if (level !== undefined) {
      if (Number(level) >= 1) out.push('--verbose');
      continue;
    }
    out.push(arg);
    if (VALUE_FLAGS.has(arg) && i + 1 < args.length) out.push(args[++i] as string);
  }
  return out;
}

/** Parses get-token arguments (after the subcommand); undefined when anything is not plainly understood. */
export function parseGetTokenArgv(given: readonly string[]): RawGetTokenFlags | undefined {
  const args = normalizeVerbosityArgs(given);
  const raw: RawGetTokenFlags = { strings: {}, lists: {}, booleans: {} };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    let flag: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      flag = BY_NAME.get(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
      if (eq !== -1) inline = arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      flag = BY_SHORT.get(arg.slice(1));
    }
    if (!flag) return undefined;
    if (flag.kind === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') return undefined;
      addFlagValue(raw, flag, inline ?? true);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) return undefined;
    addFlagValue(raw, flag, value);
  }
  return raw;
}
