/**
 * The sign-up list of a dialoogtafel as staff see and export it. Residents have no names in
 * Wijklijn; each sign-up gets a short pseudonymous number derived from its own id, stable
 * whatever happens to the other sign-ups and not linkable to the resident's other sign-ups.
 */
import { RegistrationStatusSchema, type RegistrationStatus } from "../../db/content.repo.ts";
import { signUpNumber } from "../../dialoogtafels/signUpNumber.ts";
import { labelChannel } from "../../domain/vocabulary.ts";
import { toCsv } from "./csv.ts";
import { formatLocalDateTimeIso } from "./localTime.ts";

/** The pseudonymous number of a sign-up (src/dialoogtafels/signUpNumber.ts): the resident gets it with the confirmation. */
export { signUpNumber };

/** A sign-up as listed: its place in its own list (1-based), number, channel and time. */
export interface ListedSignUp {
  position: number;
  number: string;
  status: RegistrationStatus;
  channel: string | null;
  signedUpAt: Date;
}

/** Sign-ups grouped as the list shows them: registered in order, the waitlist in order, cancelled. */
export function groupSignUps(signUps: ReadonlyArray<{ id: string; status: string; createdAt: Date; channel: string | null }>): Record<RegistrationStatus, ListedSignUp[]> {
  const groups: Record<RegistrationStatus, ListedSignUp[]> = { registered: [], waitlist: [], cancelled: [] };
  for (const signUp of signUps) {
    const status = RegistrationStatusSchema.safeParse(signUp.status);
    if (!status.success) continue;
    const list = groups[status.data];
    list.push({ position: list.length + 1, number: signUpNumber(signUp.id), status: status.data, channel: signUp.channel, signedUpAt: signUp.createdAt });
  }
  return groups;
}

/** Dutch labels of the channels (domain/vocabulary.ts). */
export { CHANNEL_LABELS } from "../../domain/vocabulary.ts";

/** Dutch labels of sign-up statuses. */
export const SIGN_UP_STATUS_LABELS: Record<RegistrationStatus, string> = { registered: "aangemeld", waitlist: "wachtlijst", cancelled: "afgemeld" };

/** The sign-up list as CSV: one line per sign-up, registered first, then the waitlist, then cancelled. */
export function signUpsCsv(tafel: { title: string; startsAt: Date; wijk: { name: string } }, signUps: Parameters<typeof groupSignUps>[0], timeZone: string): string {
  const groups = groupSignUps(signUps);
  const rows = [...groups.registered, ...groups.waitlist, ...groups.cancelled].map((s) => [
    tafel.title,
    tafel.wijk.name,
    formatLocalDateTimeIso(tafel.startsAt, timeZone),
    SIGN_UP_STATUS_LABELS[s.status],
    s.position,
    s.number,
    s.channel ? labelChannel(s.channel) : "",
    formatLocalDateTimeIso(s.signedUpAt, timeZone),
  ]);
  return toCsv(["Dialoogtafel", "Wijk", "Begint", "Status", "Volgorde", "Nummer", "Kanaal", "Aangemeld op"], rows);
}
