/**
 * What the public wijk pages (src/public) read: the gemeente's wijken with their tandem, and a
 * wijk's conversations of a period as bare facts (theme, times), never text or people. The
 * figures are made anonymous in src/public/wijkFigures.ts before anything is shown.
 */
import type { DbOrTx } from "./client.ts";

/** A wijk as the public pages show it: name, kern, the tandem's people by role. */
export interface PublicWijk {
  id: string;
  slug: string;
  name: string;
  kern: string | null;
  tandem: { id: string; name: string; members: Array<{ name: string; role: string }> } | null;
}

const wijkSelect = {
  id: true,
  slug: true,
  name: true,
  kern: true,
  tandem: { select: { id: true, name: true, members: { select: { role: true, staffUser: { select: { displayName: true, active: true } } } } } },
} as const;

function toPublic(row: {
  id: string;
  slug: string;
  name: string;
  kern: string | null;
  tandem: { id: string; name: string; members: Array<{ role: string; staffUser: { displayName: string; active: boolean } }> } | null;
}): PublicWijk {
  const order = (role: string) => (role === "gebiedsregisseur" ? 0 : 1);
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    kern: row.kern,
    tandem: row.tandem
      ? {
          id: row.tandem.id,
          name: row.tandem.name,
          members: row.tandem.members
            .filter((member) => member.staffUser.active)
            .sort((a, b) => order(a.role) - order(b.role) || a.staffUser.displayName.localeCompare(b.staffUser.displayName, "nl"))
            .map((member) => ({ name: member.staffUser.displayName, role: member.role })),
        }
      : null,
  };
}

/** The gemeente's active wijken, by kern and name. */
export async function listPublicWijken(db: DbOrTx, gemeenteId: string): Promise<PublicWijk[]> {
  const rows = await db.wijk.findMany({ where: { gemeenteId, active: true }, orderBy: [{ kern: "asc" }, { name: "asc" }], select: wijkSelect });
  return rows.map(toPublic);
}

/** One active wijk of the gemeente by its slug, or null. */
export async function findPublicWijk(db: DbOrTx, gemeenteId: string, slug: string): Promise<PublicWijk | null> {
  const row = await db.wijk.findFirst({ where: { gemeenteId, slug, active: true }, select: wijkSelect });
  return row ? toPublic(row) : null;
}

/** A conversation of the wijk that reached the gemeente, as bare facts for the figures. */
export interface WijkConversationFact {
  theme: string | null;
  intent: string | null;
  emergency: string | null;
  createdAt: Date;
  /** When it first went to staff (first status change to open), and the first staff reply. */
  handedOverAt: Date | null;
  firstResponseAt: Date | null;
}

/** The wijk's conversations since `since` that reached staff (the bot alone does not count). */
export async function listWijkConversationFacts(db: DbOrTx, wijkId: string, since: Date): Promise<WijkConversationFact[]> {
  const rows = await db.conversation.findMany({
    where: { wijkId, createdAt: { gte: since }, statusChanges: { some: { toStatus: "open" } } },
    select: {
      theme: true,
      intent: true,
      emergency: true,
      createdAt: true,
      firstResponseAt: true,
      statusChanges: { where: { toStatus: "open" }, orderBy: { at: "asc" }, take: 1, select: { at: true } },
    },
  });
  return rows.map((row) => ({
    theme: row.theme,
    intent: row.intent,
    emergency: row.emergency,
    createdAt: row.createdAt,
    handedOverAt: row.statusChanges[0]?.at ?? null,
    firstResponseAt: row.firstResponseAt,
  }));
}
