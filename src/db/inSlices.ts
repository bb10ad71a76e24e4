/**
 * Reading rows by a list of ids that may be long. One `IN` list of a busy week's conversations
 * beside the other filters would pass SQLite's 999 bound parameters (Prisma's P2029), and long
 * lists are slow to plan on PostgreSQL too; so such a list goes in slices. Where the ids come from
 * a query, a relation filter (a subquery) is better still: then no list is needed at all.
 */

/** How many ids one `IN` list carries: well below SQLite's 999 bound parameters, with room for the other filters. */
export const IN_LIST_SLICE = 500;

/** Runs `read` over `ids` in slices of IN_LIST_SLICE, one after the other, and concatenates the rows. */
export async function readInSlices<Id, Row>(ids: readonly Id[], read: (slice: Id[]) => Promise<Row[]>): Promise<Row[]> {
  const rows: Row[] = [];
  for (let start = 0; start < ids.length; start += IN_LIST_SLICE) rows.push(...(await read(ids.slice(start, start + IN_LIST_SLICE))));
  return rows;
}
