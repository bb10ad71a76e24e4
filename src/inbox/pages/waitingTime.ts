/**
 * How long a resident has waited, counted in office hours, and whether that exceeds the service
 * target of flows/settings.yaml (responseTargetWorkingHours). Pure.
 */
import type { Settings } from "../../conversation/flowSchema.ts";
import { workingMillisBetween } from "../../routing/officeHours.ts";

/** The waiting time of one conversation. */
export interface WaitingTime {
  /** Working milliseconds since the resident started waiting. */
  workingMs: number;
  /** True when the wait exceeds the service target. */
  overdue: boolean;
}

/** The waiting time since `since` (null: nobody waits, so nothing is returned). */
export function waitingTime(since: Date | null, now: Date, settings: Settings, timeZone: string): WaitingTime | null {
  if (since === null) return null;
  const workingMs = workingMillisBetween(since, now, settings, timeZone);
  return { workingMs, overdue: workingMs > settings.responseTargetWorkingHours * 3_600_000 };
}
