// The `kubectl create rolebinding|clusterrolebinding` command equivalent to a binding (kubectl create_*binding.go).
import type { BindingSpec } from './rbac-binding.js';
import { multilineCommand, shellQuote } from './shell-quote.js';

/** The command; `--user` and `--group` repeat (StringArray), and take the final prefixed names. */
export function kubectlCreateBindingCommand(spec: BindingSpec): string {
  const head = ['kubectl', 'create', spec.clusterWide ? 'clusterrolebinding' : 'rolebinding', spec.name];
  const args: string[] = [shellQuote(`--${spec.roleRef.kind === 'ClusterRole' ? 'clusterrole' : 'role'}=${spec.roleRef.name}`)];
  for (const subject of spec.subjects) {
    args.push(shellQuote(`--${subject.kind === 'User' ? 'user' : 'group'}=${subject.name}`));
  }
  if (!spec.clusterWide && spec.namespace !== undefined) args.push(shellQuote(`--namespace=${spec.namespace}`));
  return multilineCommand(head, args);
}
