// Drops oidc-provider's known-harmless console output so test and demo output stays readable.

/** Output that is expected in this test setup (each explained) and therefore not shown. */
const HARMLESS: readonly RegExp[] = [
  // Node 20 is fine for a test provider (TESTBED.md); oidc-provider 9 asks for Node 22.
  /^oidc-provider WARNING: Unsupported runtime/,
  // The development login/consent pages are exactly what the tests drive.
  /^oidc-provider WARNING: .*devInteractions is enabled/,
  // Each test starts a fresh provider: losing state on restart is the point.
  /^oidc-provider WARNING: .*in-memory adapter is used/,
  // provider-login-check.ts reads the login form body before oidc-provider does.
  /^oidc-provider WARNING: already parsed request body detected/,
  // The default device-flow and error pages are fine for tests ("you SHOULD change it" notices).
  /^oidc-provider NOTICE: default .* function called, you SHOULD change it/,
];

let installed = false;

function filtered(write: (...args: unknown[]) => void): (...args: unknown[]) => void {
  return (...args) => {
    // oidc-provider colours its lines when the stream is a terminal.
    const first = typeof args[0] === 'string' ? args[0].replace(/\x1b\[[0-9;]*m/g, '') : '';
    if (!HARMLESS.some((pattern) => pattern.test(first))) write(...args);
  };
}

/** Installs (once per process) console.warn/console.info filters for the output listed above; the rest still prints. */
export function quietProviderWarnings(): void {
  if (installed) return;
  installed = true;
  console.warn = filtered(console.warn.bind(console));
  console.info = filtered(console.info.bind(console));
}
