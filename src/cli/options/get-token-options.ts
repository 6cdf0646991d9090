// Registers the get-token flag table on a commander command and reads the values back.
import { type Command, Option } from 'commander';
import { GET_TOKEN_FLAGS, type FlagSpec, type RawGetTokenFlags } from '../../config/get-token-flags.js';
import { addFlagValue } from '../../config/parse-argv.js';

function toOption(flag: FlagSpec, group: string | undefined): Option {
  const names = `${flag.short ? `-${flag.short}, ` : ''}--${flag.name}`;
  // Under their own heading (commands that default to a kubeconfig context) no get-token flag is required.
  const description = group === undefined ? flag.description : flag.description.replace(/ \(required\)$/, '');
  const option = flag.kind === 'boolean' ? new Option(names, description) : new Option(`${names} <${flag.valueName ?? 'value'}>`, description);
  if (flag.kind !== 'string' && flag.kind !== 'boolean') option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  if (group !== undefined) option.helpGroup(group);
  return option;
}

/** Adds every get-token flag (or the named subset) to a command, optionally under their own help heading. */
export function addGetTokenOptions(command: Command, only?: ReadonlySet<string>, group?: string): Command {
  for (const flag of GET_TOKEN_FLAGS) if (!only || only.has(flag.name)) command.addOption(toOption(flag, group));
  return command;
}

/** Reads the get-token flags a command was given into the raw form get-token-input validates. */
export function rawFlagsFrom(command: Command): RawGetTokenFlags {
  const raw: RawGetTokenFlags = { strings: {}, lists: {}, booleans: {} };
  const values = command.opts<Record<string, unknown>>();
  for (const flag of GET_TOKEN_FLAGS) {
    const option = command.options.find((candidate) => candidate.long === `--${flag.name}`);
    if (!option) continue;
    const value = values[option.attributeName()];
    if (value === undefined) continue;
    // commander reads `--no-login` as `login: false`.
    if (flag.kind === 'boolean') addFlagValue(raw, flag, option.negate ? value === false : value === true);
    else if (Array.isArray(value)) for (const item of value) addFlagValue(raw, flag, String(item));
    else addFlagValue(raw, flag, String(value));
  }
  return raw;
}
