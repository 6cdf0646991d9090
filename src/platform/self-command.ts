// The exec `command` a kubeconfig written by setup should hold to start this very kube-login.
// kubectl starts the plugin on every command, so the stanza names kube-login itself, never
// `kubectl kube-login …`, which would start a second kubectl each time (issue 10, item 5).
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The names under which kube-login is installed on PATH: by npm/Homebrew/archive, and by krew. */
export const SELF_COMMAND_NAMES = ['kube-login', 'kubectl-kube_login'] as const;

/** What selfExecCommand needs to know about the process and the machine. */
export interface SelfCommandFacts {
  /** True inside the compiled single executable. */
  compiled: boolean;
  /** The running executable (process.execPath: the kube-login executable when compiled). */
  execPath: string;
  /** The PATH variable. */
  path: string | undefined;
  platform: NodeJS.Platform;
}

const realpathOrSelf = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** The first executable file called `name` on PATH, as kubectl's exec.LookPath finds it. */
export function findOnPath(name: string, path: string | undefined, platform: NodeJS.Platform = process.platform): string | undefined {
  const names = platform === 'win32' ? [`${name}.exe`] : [name];
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const file of names) {
      const candidate = join(dir, file);
      try {
        accessSync(candidate, platform === 'win32' ? constants.F_OK : constants.X_OK);
        return candidate;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/**
 * Under Node (the npm package): `kube-login`, the name npm puts on PATH. As the compiled executable:
 * `kube-login` or `kubectl-kube_login` (krew's name) when that name on PATH is this very file, so
 * that an upgrade that moves the file keeps working; else the executable's absolute path.
 */
export function selfExecCommand(facts: SelfCommandFacts): string {
  if (!facts.compiled) return 'kube-login';
  const self = realpathOrSelf(facts.execPath);
  for (const name of SELF_COMMAND_NAMES) {
    const found = findOnPath(name, facts.path, facts.platform);
    if (found !== undefined && realpathOrSelf(found) === self) return name;
  }
  return facts.execPath;
}
