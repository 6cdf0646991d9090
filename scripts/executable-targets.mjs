// The release targets of the single executable: Go's os/arch names (as kubectl, krew and the archive
// names spell them), Bun's compile target, and the @napi-rs/keyring addon package each one embeds.
// Shared by scripts/build-executable.mjs (run by Bun) and scripts/release.mjs (run by Node).

/** @typedef {{ name: string, os: string, arch: string, bunTarget: string, addonPackage: string, addonFile: string, exe: string, archive: 'tar.gz' | 'zip' }} Target */

/** @type {Target[]} */
export const TARGETS = [
  target('linux', 'amd64', 'bun-linux-x64', 'linux-x64-gnu'),
  target('linux', 'arm64', 'bun-linux-arm64', 'linux-arm64-gnu'),
  target('darwin', 'amd64', 'bun-darwin-x64', 'darwin-x64'),
  target('darwin', 'arm64', 'bun-darwin-arm64', 'darwin-arm64'),
  target('windows', 'amd64', 'bun-windows-x64', 'win32-x64-msvc'),
];

function target(os, arch, bunTarget, addonSuffix) {
  return {
    name: `${os}-${arch}`,
    os,
    arch,
    bunTarget,
    addonPackage: `@napi-rs/keyring-${addonSuffix}`,
    addonFile: `keyring.${addonSuffix}.node`,
    exe: os === 'windows' ? 'kube-login.exe' : 'kube-login',
    archive: os === 'windows' ? 'zip' : 'tar.gz',
  };
}

/** The target this machine runs, or undefined when it is not one of the release targets. */
export function hostTarget() {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return TARGETS.find((t) => t.os === os && t.arch === arch);
}

/** The target called `name` (`linux-amd64`, …); throws with the list of names otherwise. */
export function targetNamed(name) {
  const found = TARGETS.find((t) => t.name === name);
  if (!found) throw new Error(`unknown target ${name}: use one of ${TARGETS.map((t) => t.name).join(', ')}`);
  return found;
}
