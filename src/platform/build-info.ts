// What `kube-login --version` reports: the package version, the runtime and the platform. The
// compiled executable has the version inlined at build time (scripts/build-executable.ts defines
// KUBE_LOGIN_BUILD_VERSION), because a bundle cannot read package.json beside it; under Node it
// is read from the installed package.json.
import { readFileSync } from 'node:fs';

declare const KUBE_LOGIN_BUILD_VERSION: string | undefined;

/** The runtime kube-login runs on: `node` for the npm package, `bun` for the single executable. */
export interface RuntimeInfo {
  name: 'node' | 'bun';
  version: string;
}

/** The Bun version when running under Bun (the compiled executable), else undefined. */
function bunVersion(): string | undefined {
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string };
  return versions.bun;
}

/** True inside the compiled single executable (Bun), false under Node. */
export function isCompiledExecutable(): boolean {
  return typeof KUBE_LOGIN_BUILD_VERSION === 'string';
}

/** The kube-login version: inlined in the executable, else package.json's (dist/platform/ is two levels down). */
export function packageVersion(): string {
  if (typeof KUBE_LOGIN_BUILD_VERSION === 'string') return KUBE_LOGIN_BUILD_VERSION;
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The runtime this process runs on. */
export function runtimeInfo(): RuntimeInfo {
  const bun = bunVersion();
  return bun === undefined ? { name: 'node', version: process.versions.node } : { name: 'bun', version: bun };
}

/** Go's names for the platform (`linux/amd64`), as kubectl and release archives spell it. */
export function platformName(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const cpu = arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
  return `${os}/${cpu}`;
}

/** The `--version` line: `0.1.0 (node 20.20.0, linux/amd64)`, or `(bun 1.4.5 executable, …)`. */
export function versionLine(): string {
  const runtime = runtimeInfo();
  const kind = isCompiledExecutable() ? ' executable' : '';
  return `${packageVersion()} (${runtime.name} ${runtime.version}${kind}, ${platformName()})`;
}
