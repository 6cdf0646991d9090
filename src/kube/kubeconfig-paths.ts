// Where kubectl reads and writes its kubeconfig: --kubeconfig, else KUBECONFIG, else ~/.kube/config.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** The kubeconfig files in kubectl's loading precedence, and how they were chosen. */
export interface KubeconfigLocation {
  /** Absolute paths, first one wins on conflicts (client-go `ClientConfigLoadingRules.Precedence`). */
  readonly paths: readonly string[];
  /** `flag` for --kubeconfig, `env` for KUBECONFIG, `default` for ~/.kube/config. */
  readonly source: 'flag' | 'env' | 'default';
}

/** What locateKubeconfigs reads; tests pass their own environment and platform. */
export interface LocateKubeconfigInput {
  readonly explicitPath?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly cwd?: string;
}

/** Finds the kubeconfig files exactly as kubectl does (client-go tools/clientcmd/loader.go). */
export function locateKubeconfigs(input: LocateKubeconfigInput): KubeconfigLocation {
  const platform = input.platform ?? process.platform;
  const cwd = input.cwd ?? process.cwd();
  const { resolve } = platform === 'win32' ? win32 : posix;
  if (input.explicitPath !== undefined && input.explicitPath !== '') {
    return { paths: [resolve(cwd, input.explicitPath)], source: 'flag' };
  }
  const envValue = input.env['KUBECONFIG'];
  if (envValue !== undefined && envValue !== '') {
    // filepath.SplitList: ';' on Windows, ':' elsewhere; client-go skips empty entries when loading
    // and deduplicates the list ("prevent the same path load multiple times").
    const separator = platform === 'win32' ? ';' : ':';
    const paths: string[] = [];
    for (const entry of envValue.split(separator)) {
      if (entry === '') continue;
      const path = resolve(cwd, entry);
      if (!paths.includes(path)) paths.push(path);
    }
    if (paths.length > 0) return { paths, source: 'env' };
  }
  return { paths: [defaultKubeconfigPath(input.env, platform)], source: 'default' };
}

/** `~/.kube/config`, with the home directory found as client-go's homedir.HomeDir() does. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const { join } = platform === 'win32' ? win32 : posix;
  return join(homeDirectory(env, platform), '.kube', 'config');
}

function homeDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform !== 'win32') return env['HOME'] || homedir();
  // client-go util/homedir on Windows: the first of %HOME%, %HOMEDRIVE%%HOMEPATH%, %USERPROFILE%
  // holding a .kube\config; else the first of %HOME%, %USERPROFILE%, %HOMEDRIVE%%HOMEPATH% that
  // exists (client-go also prefers a writable one); else the first of them that is set.
  const home = env['HOME'] || undefined;
  const profile = env['USERPROFILE'] || undefined;
  const drivePath = env['HOMEDRIVE'] && env['HOMEPATH'] ? env['HOMEDRIVE'] + env['HOMEPATH'] : undefined;
  const withConfig = [home, drivePath, profile].find(
    (dir) => dir !== undefined && existsSync(win32.join(dir, '.kube', 'config')),
  );
  if (withConfig !== undefined) return withConfig;
  const ordered = [home, profile, drivePath].filter((dir): dir is string => dir !== undefined);
  return ordered.find((dir) => existsSync(dir)) ?? ordered[0] ?? homedir();
}

/**
 * The file that receives entries that exist nowhere yet: client-go `PathOptions.GetDefaultFilename`,
 * i.e. the explicit file, else the first KUBECONFIG file that exists, else the last one listed.
 */
export function defaultWriteTarget(location: KubeconfigLocation, exists: (path: string) => boolean): string {
  const { paths } = location;
  if (paths.length === 1 || location.source !== 'env') return paths[0]!;
  return paths.find((path) => exists(path)) ?? paths[paths.length - 1]!;
}
