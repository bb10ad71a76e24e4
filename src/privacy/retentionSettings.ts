/**
 * How long Wijklijn keeps each kind of data: the one place the privacy statement and the
 * processing register (src/privacy/privacyStatement.ts) read the periods from, so what they tell
 * residents and the FG is what is configured. The defaults below hold when nothing else is set;
 * the retention job's own settings are passed in as `configured` and win over them, one by one.
 */

/** Retention periods. Months are calendar months; 0 means "at once". */
export interface RetentionSettings {
  /** The text of messages in a resolved conversation is anonymised this long after resolution. */
  messageTextMonths: number;
  /** A resident who wrote nothing this long loses their channel identities (number, chat id) and profile. */
  inactiveResidentMonths: number;
  /** Sign-in attempts (kept as hashes, for throttling) are removed after this many days. */
  loginAttemptDays: number;
  /** The audit log (who did what, never message text) is kept this long. */
  auditMonths: number;
  /** A resident's download link for their own data works this long. */
  exportLinkHours: number;
  /** A staff session ends after this many hours unused, and after `staffSessionMaxDays` at most. */
  staffSessionIdleHours: number;
  staffSessionMaxDays: number;
}

/** The defaults: what a gemeente gets without setting anything. */
export const DEFAULT_RETENTION: RetentionSettings = {
  messageTextMonths: 12,
  inactiveResidentMonths: 24,
  loginAttemptDays: 30,
  auditMonths: 60,
  exportLinkHours: 24,
  staffSessionIdleHours: 12,
  staffSessionMaxDays: 30,
};

/** The periods in force: the configured ones, and the defaults for whatever is not configured. */
export function retentionSettings(configured: Partial<RetentionSettings> = {}): RetentionSettings {
  const defined = Object.fromEntries(Object.entries(configured).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_RETENTION, ...defined };
}
