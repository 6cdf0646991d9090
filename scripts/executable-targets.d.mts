// Types of executable-targets.mjs for the TypeScript tests.
/** One release target of the single executable. */
export interface Target {
  name: string;
  os: string;
  arch: string;
  bunTarget: string;
  addonPackage: string;
  addonFile: string;
  exe: string;
  archive: 'tar.gz' | 'zip';
}
/** Every release target. */
export const TARGETS: Target[];
/** The target this machine runs, if it is one. */
export function hostTarget(): Target | undefined;
/** The target called `name`; throws otherwise. */
export function targetNamed(name: string): Target;
