// `~` expansion for path flags, as kubelogin does for its own (shells do not expand `--flag=~/x`).
import { join, resolve } from 'node:path';

/** Resolves a path flag value: `~` and a leading `~/` mean the home directory. */
export function expandHome(value: string, home: string): string {
  if (value === '~') return home;
  if (value.startsWith('~/')) return join(home, value.slice(2));
  return resolve(value);
}
