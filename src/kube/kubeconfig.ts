// The kubeconfig library in one import: locate, load, read, merge, plan (diff) and write.
export { type KubeconfigLocation, type LocateKubeconfigInput, locateKubeconfigs, defaultKubeconfigPath, defaultWriteTarget } from './kubeconfig-paths.js';
export {
  type KubeconfigFile,
  type KubeconfigSet,
  kubeconfigFileFromText,
  loadKubeconfigFile,
  loadKubeconfigs,
  loadKubeconfigsReadOnly,
  MAX_KUBECONFIG_BYTES,
  missingKubeconfigFile,
} from './kubeconfig-load.js';
export { type KubeconfigSection, type RenderStyle, KUBECONFIG_SECTIONS, ENTRY_BODY_KEY, parseKubeconfig } from './kubeconfig-parse.js';
export { type EntryLocation, type KubeconfigEntry, findEntry, listEntries, currentContext } from './kubeconfig-entries.js';
export {
  type ClusterInput,
  type ContextInput,
  type ExecEnvVar,
  type ExecUserInput,
  type UpsertResult,
  EXEC_API_VERSION,
  setCurrentContext,
  upsertCluster,
  upsertContext,
  upsertExecUser,
  writeTargetFile,
} from './kubeconfig-merge.js';
export { type RenderedKubeconfig, renderKubeconfig } from './kubeconfig-render.js';
export { type KubeconfigChange, type DiffOptions, planKubeconfigChanges, renderKubeconfigDiff, redactDiff } from './kubeconfig-plan.js';
export { type WrittenKubeconfig, writeKubeconfigChanges } from './kubeconfig-write.js';
export { type AtomicWriteResult, backupPathFor, backupTimestamp, checkWritable, writeFileAtomic } from './backup-and-replace.js';
