// Clock skew against the provider's HTTP `Date` header (RFC 9110 section 6.6.1: one-second resolution).
// kube-apiserver checks `exp` with no leeway and `nbf` with one minute (SPECS.md B.2), and kube-login's
// refresh margin is at most 60 s, so a clock off by more than that breaks tokens on one side or the other.
import { type DoctorCheck, fail, pass, skip, warn } from './check.js';

/** One response's `Date` header and when the request went out and the answer came back (local clock). */
export interface DateSample {
  date: string;
  sentAtMs: number;
  receivedAtMs: number;
}

/** The skew in milliseconds (positive: this machine is ahead) and how uncertain it is. */
export function clockSkew(sample: DateSample): { skewMs: number; uncertaintyMs: number } | undefined {
  const server = Date.parse(sample.date);
  if (Number.isNaN(server)) return undefined;
  // The header is truncated to the second: the server's time was in [date, date + 1 s).
  const local = (sample.sentAtMs + sample.receivedAtMs) / 2;
  return { skewMs: local - (server + 500), uncertaintyMs: (sample.receivedAtMs - sample.sentAtMs) / 2 + 500 };
}

/** Within this, the clocks agree. */
export const SKEW_OK_SECONDS = 5;
/** Beyond this, tokens break: the refresh margin and the apiserver's nbf leeway are both 60 s. */
export const SKEW_FAIL_SECONDS = 60;

/** ✓ within 5 s, ! up to 60 s, ✗ beyond. */
export function checkClockSkew(sample: DateSample | undefined, host: string): DoctorCheck {
  const measured = sample ? clockSkew(sample) : undefined;
  if (!measured) return skip('clock-skew', `the clock could not be compared: the provider ${host} sent no usable Date header`);
  const excess = Math.max(0, Math.abs(measured.skewMs) - measured.uncertaintyMs) / 1000;
  const seconds = Math.round(Math.abs(measured.skewMs) / 1000);
  const direction = measured.skewMs > 0 ? 'ahead of' : 'behind';
  if (excess <= SKEW_OK_SECONDS) return pass('clock-skew', `this machine's clock agrees with the provider's (${host}) to within ${Math.max(1, Math.ceil(excess + measured.uncertaintyMs / 1000))} s`);
  const fix = 'synchronise the clock with NTP (Linux: `timedatectl set-ntp true`; macOS: System Settings > Date & Time; Windows: `w32tm /resync`)';
  const effect =
    measured.skewMs > 0
      ? 'fresh tokens look older than they are, so kube-login refreshes early and may reject new ID tokens as issued in the future'
      : 'kube-login keeps sending ID tokens that kube-apiserver already sees as expired (it checks exp with no leeway)';
  const text = `this machine's clock is about ${seconds} s ${direction} the provider's (${host}, from its Date header)`;
  if (excess <= SKEW_FAIL_SECONDS) return warn('clock-skew', `${text}: a little more and ${effect}`, fix);
  return fail('clock-skew', `${text}: ${effect}`, fix);
}
