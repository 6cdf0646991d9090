// A private, real Secret Service for keychain tests: our own dbus-daemon (no service activation, so
// nothing else starts behind our back) and gnome-keyring-daemon with an unlocked (or locked) login
// collection, with HOME and XDG_* in a temporary folder. `.ci/run` installs the Debian packages
// gnome-keyring, dbus and libsecret-tools.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './temp-dir.js';

const run = promisify(execFile);

/** What a test passes to subprocesses (and may copy into process.env). */
export interface KeyringSession {
  /** The added variables: HOME, XDG_*, DBUS_SESSION_BUS_ADDRESS. */
  vars: Record<string, string>;
  /** process.env with `vars` applied: give it to subprocesses. */
  env: NodeJS.ProcessEnv;
  home: string;
  /** Runs `secret-tool` in the session and returns its output (stderr, where it prints attributes, merged in). */
  secretTool(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Which kind of session to start. */
export interface KeyringSessionOptions {
  /** `unlocked` (default); `locked`: the login collection exists but is locked; `none`: a bus without any Secret Service. */
  state?: 'unlocked' | 'locked' | 'none';
}

const TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'];

/** The first missing tool, or undefined when every tool a session needs is installed. */
export function missingKeyringTool(): string | undefined {
  return TOOLS.find((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
}

/** Warns loudly that a keychain test cannot run here; callers then skip. */
export function warnKeyringSkipped(what: string): void {
  const tool = missingKeyringTool();
  console.warn(
    `\n!!!!!!!! SKIPPED: ${what}: ${tool} is not installed. Install gnome-keyring, dbus and libsecret-tools ` +
      '(`.ci/run` does) to test the keychain store against a real Secret Service. !!!!!!!!\n',
  );
}

const BUS_CONFIG = (socket: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <!-- The limits of a desktop session bus (/usr/share/dbus-1/session.conf): the built-in ones allow
       only 256 connections per user, and each keyring Entry holds a connection until it is collected. -->
  <limit name="max_completed_connections">100000</limit>
  <limit name="max_incomplete_connections">10000</limit>
  <limit name="max_connections_per_user">100000</limit>
  <limit name="max_match_rules_per_connection">50000</limit>
  <limit name="max_replies_per_connection">50000</limit>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

function waitForLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 10 s`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${String(code)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startKeyringDaemon(env: NodeJS.ProcessEnv, unlock: boolean): Promise<ChildProcess> {
  const args = ['--foreground', '--components=secrets', ...(unlock ? ['--unlock'] : [])];
  const daemon = spawn('gnome-keyring-daemon', args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
  let errors = '';
  daemon.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  // With --unlock the password comes on stdin (it creates the login collection with it).
  daemon.stdin?.end(unlock ? 'kube-login-test' : '');
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (daemon.exitCode !== null) throw new Error(`gnome-keyring-daemon exited: ${errors}`);
    const { stdout } = await run(
      'dbus-send',
      ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'],
      { env },
    );
    if (stdout.includes('boolean true')) return daemon;
    if (Date.now() > deadline) throw new Error(`gnome-keyring-daemon did not claim org.freedesktop.secrets: ${errors}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** Starts a session bus and (unless `state: 'none'`) gnome-keyring in a temporary HOME. */
export async function startKeyringSession(options: KeyringSessionOptions = {}): Promise<KeyringSession> {
  const state = options.state ?? 'unlocked';
  const root = makeTempDir('kube-login-keyring-');
  const home = join(root, 'home');
  const runtime = join(root, 'run');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const configFile = join(root, 'bus.conf');
  writeFileSync(configFile, BUS_CONFIG(join(runtime, 'bus')));
  const base: Record<string, string> = {
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  const bus = spawn('dbus-daemon', [`--config-file=${configFile}`, '--nofork', '--print-address=1'], {
    env: { ...process.env, ...base },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const address = await waitForLine(bus, 'dbus-daemon');
  const vars = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
  const env: NodeJS.ProcessEnv = { ...process.env, ...vars };
  const children: ChildProcess[] = [];
  try {
    if (state === 'locked') {
      // Create the login collection with a password, then restart the daemon without unlocking it.
      await stopChild(await startKeyringDaemon(env, true));
      children.push(await startKeyringDaemon(env, false));
    } else if (state === 'unlocked') {
      children.push(await startKeyringDaemon(env, true));
    }
  } catch (error) {
    await Promise.all([...children.map(stopChild), stopChild(bus)]);
    throw error;
  }
  return {
    vars,
    env,
    home,
    secretTool: async (...args) => (await run('sh', ['-c', 'exec secret-tool "$@" 2>&1', 'secret-tool', ...args], { env })).stdout,
    stop: async () => {
      for (const child of children) await stopChild(child);
      await stopChild(bus);
    },
  };
}
