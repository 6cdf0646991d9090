// Releases every held cache lock when the process is interrupted (Ctrl-C, SIGTERM, SIGHUP) or exits,
// so that an interrupted kube-login never leaves other kubectl calls waiting for a stale lock.

type SyncRelease = () => void;

const held = new Map<string, SyncRelease>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof SIGNALS)[number];

function releaseAll(): void {
  for (const release of [...held.values()]) {
    try {
      release();
    } catch {
      // Best effort: the next kube-login detects the dead holder by its pid.
    }
  }
}

function onSignal(signal: HandledSignal): void {
  releaseAll(); // each release unregisters itself; with no lock left our listeners are removed
  uninstall();
  // Another listener (a login in progress) turns the signal into its own error and exit code.
  if (process.listenerCount(signal) > 0) return;
  if (signal === 'SIGINT') process.exit(130);
  // Re-raise with the default action, so that the parent sees death by that signal.
  process.kill(process.pid, signal);
}

const listeners = new Map<HandledSignal, () => void>(SIGNALS.map((signal) => [signal, () => onSignal(signal)]));

function install(): void {
  for (const [signal, listener] of listeners) process.on(signal, listener);
  process.on('exit', releaseAll);
}

function uninstall(): void {
  for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  process.removeListener('exit', releaseAll);
}

/** Registers a held lock's synchronous release; signal and exit handlers exist while any lock is held. */
export function registerHeldLock(path: string, release: SyncRelease): void {
  if (held.size === 0) install();
  held.set(path, release);
}

/** Unregisters a lock (after its release). */
export function unregisterHeldLock(path: string): void {
  if (!held.delete(path)) return;
  if (held.size === 0) uninstall();
}

/** True when this process holds the lock at `path`. */
export function isHeldHere(path: string): boolean {
  return held.has(path);
}
