// Builds the real ports of `login --no-wait` and of the detached process it starts: a kube-login
// child spawned detached (its own session, stdio to a 0600 log file in the cache folder, unref'd), told
// its job over the IPC channel (no secret on a command line or in a file), which announces the URL back
// and then lives on its own until the login completes, times out or is cancelled.
import { spawn } from 'node:child_process';
import { closeSync, fchmodSync, openSync } from 'node:fs';
import { ensureCacheDir } from '../cache/file-store.js';
import { cacheKey } from '../cache/key.js';
import { type PendingLogin, loginLogPath, newPendingLogin, readPendingLogin, removePendingLogin, writePendingLogin } from '../cache/pending-login.js';
import type { CliContext } from '../cli/context.js';
import { toKubeLoginError } from '../cli/exit-codes.js';
import { type GetTokenInput, cacheKeyInputOf } from '../config/get-token-input.js';
import { type ErrorCode, KubeLoginError } from '../errors.js';
import { runBackgroundLogin } from '../usecases/login-background.js';
import { type NoWaitResult, loginNoWait } from '../usecases/login-no-wait.js';
import type { LoginCommandInput } from './login.js';
import { getTokenDeps } from './get-token.js';
import { isCompiledExecutable } from '../platform/build-info.js';

/** What the starting process tells the detached one. */
interface WorkerJob {
  kind: 'job';
  input: GetTokenInput;
  requestParams: Record<string, string>;
  context?: string;
  logFile: string;
}

/** What the detached process answers: where to log in, or why it could not start. */
type WorkerAnswer = { kind: 'want-job' } | { kind: 'ready'; pending: PendingLogin } | { kind: 'failed'; error: { code: ErrorCode; action: string; reason: string; fix?: string } };

/** How long the detached process may take to bind its listener or get its device code. */
const READY_TIMEOUT_MS = 30_000;

const withParams = (input: GetTokenInput, params: Record<string, string>): GetTokenInput => ({ ...input, extraParams: { ...input.extraParams, ...params } });

/** The command line that runs kube-login again: `node bin/kube-login.js`, or the single executable itself. */
function selfCommand(): { file: string; args: string[] } {
  // The executable's argv[1] is its embedded entry (a virtual path), not a script to pass again.
  if (isCompiledExecutable()) return { file: process.execPath, args: [] };
  const entry = process.argv[1];
  const script = entry !== undefined && entry !== process.execPath && !entry.startsWith('-');
  return { file: process.execPath, args: script ? [...process.execArgv, entry] : [] };
}

/** Spawns the detached login and waits for its announcement (or its failure, before it detaches). */
function startDetachedLogin(job: WorkerJob): Promise<PendingLogin> {
  const log = openSync(job.logFile, 'w', 0o600);
  // open() keeps the mode of an existing file: the log of a login is the person's business only.
  fchmodSync(log, 0o600);
  const self = selfCommand();
  const child = spawn(self.file, [...self.args, 'login-worker'], { detached: true, stdio: ['ignore', log, log, 'ipc'], env: process.env });
  closeSync(log);
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      // The child survives this process: it is in its own session and no longer referenced.
      child.unref();
    };
    const timer = setTimeout(() => {
      finish();
      child.kill('SIGTERM');
      reject(new KubeLoginError('provider-unreachable', 'start the login', `the login process was not ready within ${READY_TIMEOUT_MS / 1000} s`, { fix: `see its log ${job.logFile}` }));
    }, READY_TIMEOUT_MS);
    child.on('message', (message: WorkerAnswer) => {
      // The job goes out only when the child listens: IPC messages sent earlier could be missed.
      if (message.kind === 'want-job') {
        child.send(job);
        return;
      }
      finish();
      if (message.kind === 'ready') resolve(message.pending);
      else reject(new KubeLoginError(message.error.code, message.error.action, message.error.reason, message.error.fix === undefined ? {} : { fix: message.error.fix }));
    });
    child.once('error', (error) => {
      finish();
      reject(new KubeLoginError('internal', 'start the login in the background', error.message, { fix: `see ${job.logFile}`, cause: error }));
    });
    child.once('exit', (code, signal) => {
      finish();
      reject(new KubeLoginError('internal', 'start the login in the background', `the login process ended (${code ?? signal}) before it was ready`, { fix: `see its log ${job.logFile}` }));
    });
  });
}

/** Runs `login --no-wait` for real: refresh, or the pending login of the key (found or started). */
export async function runLoginNoWait(ctx: CliContext, command: LoginCommandInput): Promise<NoWaitResult> {
  const { input } = command;
  const deps = await getTokenDeps(ctx, withParams(input, command.requestParams));
  const id = cacheKey(cacheKeyInputOf(input)).id;
  return loginNoWait(
    {
      ...deps,
      pendingLogin: (key) => readPendingLogin(input.cacheDir, key),
      startDetachedLogin: async () => {
        await ensureCacheDir(input.cacheDir);
        return startDetachedLogin({
          kind: 'job',
          input,
          requestParams: command.requestParams,
          ...(command.context === undefined ? {} : { context: command.context }),
          logFile: loginLogPath(input.cacheDir, id),
        });
      },
    },
    input,
    { force: command.force, ...(command.context === undefined ? {} : { context: command.context }) },
  );
}

function send(answer: WorkerAnswer): void {
  if (process.connected && process.send) process.send(answer);
}

/** The detached process (`kube-login login-worker`, started by login --no-wait): reads its job, logs in, exits. */
export async function runLoginWorker(ctx: CliContext): Promise<void> {
  if (!process.send) {
    throw new KubeLoginError('usage', 'run login-worker', 'it is started by `kube-login login --no-wait`, not by hand', { fix: 'run `kube-login login --no-wait`' });
  }
  const job = await new Promise<WorkerJob>((resolve) => {
    process.once('message', (message: WorkerJob) => resolve(message));
    send({ kind: 'want-job' });
  });
  const { input, logFile } = job;
  const id = cacheKey(cacheKeyInputOf(input)).id;
  const deps = await getTokenDeps(ctx, withParams(input, job.requestParams));
  let announced = false;
  try {
    deps.logger.info(`kube-login: login started by \`kube-login login --no-wait\`${job.context === undefined ? '' : ` for context ${job.context}`} (pid ${process.pid})`);
    await runBackgroundLogin(
      {
        store: deps.store,
        lock: deps.lock,
        clock: deps.clock,
        logger: deps.logger,
        connect: deps.connect,
        login: deps.login,
        announce: async (announcement) => {
          const pending = newPendingLogin({ ...announcement, logFile, ...(job.context === undefined ? {} : { context: job.context }) });
          await writePendingLogin(input.cacheDir, id, pending);
          announced = true;
          send({ kind: 'ready', pending });
          if (process.connected) process.disconnect();
        },
        settled: () => removePendingLogin(input.cacheDir, id, process.pid),
      },
      input,
    );
    deps.logger.info('kube-login: the login is done; the tokens are in the cache');
  } catch (thrown) {
    const error = toKubeLoginError(thrown);
    if (!announced) send({ kind: 'failed', error: { code: error.code, action: error.action, reason: error.reason, ...(error.fix === undefined ? {} : { fix: error.fix }) } });
    throw error;
  } finally {
    if (process.connected) process.disconnect();
    await removePendingLogin(input.cacheDir, id, process.pid);
  }
}
