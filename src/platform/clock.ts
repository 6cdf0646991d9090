// Expiry decisions read time through this port so that use-case tests can fix it.

/** The clock port: milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };
