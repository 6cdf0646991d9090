// Clock skew from the provider's Date header (one-second resolution): ✓ within 5 s, ! to 60 s, ✗ beyond.
import { describe, expect, it } from 'vitest';
import { checkClockSkew, clockSkew } from '../../../src/usecases/doctor/clock-skew.js';

const at = (iso: string): number => Date.parse(iso);
const sample = (serverIso: string, localIso: string, rttMs = 20) => ({ date: new Date(at(serverIso)).toUTCString(), sentAtMs: at(localIso) - rttMs / 2, receivedAtMs: at(localIso) + rttMs / 2 });

describe('clock skew', () => {
  it('measures the skew against the middle of the Date second', () => {
    expect(clockSkew(sample('2030-01-01T00:00:00Z', '2030-01-01T00:00:00.500Z'))).toEqual({ skewMs: 0, uncertaintyMs: 510 });
    expect(clockSkew({ date: 'not a date', sentAtMs: 0, receivedAtMs: 1 })).toBeUndefined();
  });

  it('passes agreeing clocks, warns at 30 s, fails at 5 minutes either way', () => {
    expect(checkClockSkew(sample('2030-01-01T00:00:00Z', '2030-01-01T00:00:01Z'), 'idp').mark).toBe('pass');
    const ahead = checkClockSkew(sample('2030-01-01T00:00:00Z', '2030-01-01T00:00:30Z'), 'idp');
    expect(ahead).toMatchObject({ mark: 'warn' });
    expect(ahead.text).toContain("this machine's clock is about 30 s ahead of the provider's (idp, from its Date header)");
    const behind = checkClockSkew(sample('2030-01-01T00:05:00Z', '2030-01-01T00:00:00.500Z'), 'idp');
    expect(behind.mark).toBe('fail');
    expect(behind.text).toContain('about 300 s behind');
    expect(behind.text).toContain('ID tokens that kube-apiserver already sees as expired');
    expect(behind.fix).toContain('timedatectl set-ntp true');
    expect(checkClockSkew(undefined, 'idp').mark).toBe('skip');
  });
});
