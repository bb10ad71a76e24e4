/** The gemeente this installation serves (one today; the model allows several). */
import type { DbOrTx } from "./client.ts";

/** A gemeente's identity. */
export interface GemeenteRef {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
}

/** The installation's gemeente: the only one, or the first made. Null on an empty database. */
export async function findDefaultGemeente(db: DbOrTx): Promise<GemeenteRef | null> {
  return db.gemeente.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true, slug: true, name: true, timeZone: true } });
}
