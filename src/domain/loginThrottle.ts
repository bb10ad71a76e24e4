/**
 * How sign-in is throttled: a delay that grows with each failure rather than a lock, so that
 * someone guessing a staff member's password gets a few guesses an hour and the staff member,
 * on a browser that signed in before (its device cookie), is not held up by those guesses at all.
 * Counted per e-mail address, per client address and per device (see claimLoginAttempt).
 * Follows OWASP's advice on account lockout and device cookies:
 * https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies
 */

/** The throttle's numbers. */
export interface LoginThrottlePolicy {
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** Failures before any delay, per e-mail address (without a device cookie), per client address, and per device cookie. */
  freeFailuresPerEmail: number;
  freeFailuresPerAddress: number;
  freeFailuresPerDevice: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further failure, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

/** Wijklijn's throttle: 5 free failures per address, then 30 s, 1, 2, 4, 8 and at most 15 minutes between attempts. */
export const LOGIN_THROTTLE: LoginThrottlePolicy = {
  windowMs: 24 * 3600 * 1000,
  freeFailuresPerEmail: 5,
  freeFailuresPerAddress: 20,
  freeFailuresPerDevice: 5,
  firstDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
};

/** How long after its latest failure a key must wait, with `failures` counted and `free` allowed. */
export function loginDelayMs(failures: number, free: number, policy: LoginThrottlePolicy): number {
  if (failures < free) return 0;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(failures - free, 30));
}

/** "30 seconden", "1 minuut", "4 minuten": a wait in words, rounded up. */
export function waitInDutch(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return seconds === 1 ? "1 seconde" : `${seconds} seconden`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minuut" : `${minutes} minuten`;
}
