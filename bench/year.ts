/**
 * Bench part (4): a year of Wijklijn in one gemeente (the demo gemeente's 11 wijken), 1,000,000
 * messages in 100,000 conversations, seeded with raw bulk inserts; then the weekly digest of the
 * last full week (a wethouder's and the admin's gemeente overview, as the inbox archive builds
 * them) and the inbox's first page (GET /inbox, as a gebiedsregisseur and as an admin) at that size.
 * Targets (issue 11): digest ≤ 3 s, inbox first page ≤ 100 ms.
 */
import { loadFlows } from "../src/conversation/loadFlows.ts";
import { createDb, type Db } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { prepareSqliteConnection } from "../src/db/ops.repo.ts";
import { seedDemoGemeente } from "../src/db/seedDemo.ts";
import { createStaffSession } from "../src/db/session.repo.ts";
import { getGemeenteDigest, getWethouderDigest } from "../src/digests/getDigest.ts";
import { addIsoWeeks, isoWeekOf } from "../src/digests/isoWeek.ts";
import { createApp } from "../src/http/app.ts";
import { createLogger } from "../src/log.ts";
import { bulkWriterFor, type Cell } from "./bulkInsert.ts";

/** What part (4) measured. */
export interface YearFigures {
  messages: number;
  conversations: number;
  seedSeconds: number;
  /** The median of the timed runs (after one warm-up); CPU of this process (SQLite runs in it; PostgreSQL's server CPU is not counted). */
  wethouderDigest: Timing;
  gemeenteDigest: Timing;
  inboxGebiedsregisseur: Timing;
  inboxAdmin: Timing;
  /** Conversations quoted from in the gemeente overview's week (how much the digest reads). */
  weekConversations: number;
}

const DAY = 86_400_000;
const MESSAGES_PER_CONVERSATION = 10;
const INTENTS = ["melding", "melding", "melding", "idee", "wijknieuws", "contact", "dialoogtafel", "melding", "groet", "onbekend"];
const THEMES = ["afval", "groen", "verkeer", "veiligheid", "overlast", "onderhoud", "wonen", "jeugd", "zorg-welzijn", "gemeente", "overig"];
const TYPED = ["De lantaarnpaal bij nummer {n} is al een week kapot", "Sinds vorige week ligt er afval naast de container", "Dank je wel"];

interface Plan {
  gemeenteId: string;
  wijken: Array<{ id: string; tandemId: string | null }>;
  now: Date;
  conversations: number;
}

function statusOf(i: number, ageMs: number): "open" | "waiting" | "resolved" {
  // Most of the year is done; the last two weeks are busy.
  if (ageMs > 14 * DAY) return i % 100 === 0 ? "open" : i % 100 === 1 ? "waiting" : "resolved";
  return i % 10 < 4 ? "open" : i % 10 < 7 ? "waiting" : "resolved";
}

function* conversationsOf(plan: Plan): Generator<{ i: number; id: string; at: Date; status: "open" | "waiting" | "resolved"; wijk: { id: string; tandemId: string | null } }> {
  const start = plan.now.getTime() - 365 * DAY;
  const step = (365 * DAY) / plan.conversations;
  for (let i = 0; i < plan.conversations; i++) {
    const at = new Date(Math.floor(start + i * step));
    const wijk = plan.wijken[i % plan.wijken.length];
    if (!wijk) throw new Error("no wijken");
    yield { i, id: `y${i}`, at, status: statusOf(i, plan.now.getTime() - at.getTime()), wijk };
  }
}

const plus = (at: Date, ms: number) => new Date(at.getTime() + ms);

/** Seeds `conversations` conversations of 10 messages each into a migrated, demo-seeded database. */
async function seedYear(url: string, plan: Plan): Promise<void> {
  const writer = await bulkWriterFor(url);
  try {
    await writer.insert(
      "Resident",
      ["id", "gemeenteId", "wijkId", "language", "createdAt", "lastSeenAt", "exportGeneration"],
      (function* () {
        for (const c of conversationsOf(plan)) yield [`r${c.i}`, plan.gemeenteId, c.wijk.id, "nl", c.at, plus(c.at, 300_000), 0];
      })(),
    );
    await writer.insert(
      "ChannelIdentity",
      ["id", "residentId", "channel", "externalId", "createdAt", "lastSeenAt"],
      (function* () {
        for (const c of conversationsOf(plan)) yield [`ci${c.i}`, `r${c.i}`, "webchat", `bench-year-${c.i}`, c.at, plus(c.at, 300_000)];
      })(),
    );
    await writer.insert(
      "Conversation",
      [
        "id",
        "reference",
        "gemeenteId",
        "residentId",
        "channelIdentityId",
        "channel",
        "wijkId",
        "tandemId",
        "status",
        "intent",
        "theme",
        "state",
        "createdAt",
        "updatedAt",
        "lastMessageAt",
        "firstResponseAt",
        "resolvedAt",
        "waitingSince",
      ],
      (function* (): Generator<Cell[]> {
        for (const c of conversationsOf(plan)) {
          const answered = c.status === "open" ? null : plus(c.at, 3_600_000);
          const resolved = c.status === "resolved" ? plus(c.at, 7_200_000) : null;
          yield [
            c.id,
            `WL-B-${String(c.i).padStart(7, "0")}`,
            plan.gemeenteId,
            `r${c.i}`,
            `ci${c.i}`,
            "webchat",
            c.wijk.id,
            c.wijk.tandemId,
            c.status,
            INTENTS[c.i % INTENTS.length] ?? "melding",
            THEMES[c.i % THEMES.length] ?? "overig",
            "{}",
            c.at,
            plus(c.at, 300_000),
            plus(c.at, 300_000),
            answered,
            resolved,
            // As changeStatus leaves an open conversation: waiting since the handover (the status change below).
            c.status === "open" ? plus(c.at, 300_000) : null,
          ];
        }
      })(),
    );
    await writer.insert(
      "StatusChange",
      ["id", "conversationId", "fromStatus", "toStatus", "at"],
      (function* (): Generator<Cell[]> {
        for (const c of conversationsOf(plan)) {
          yield [`s${c.i}a`, c.id, "bot", "open", plus(c.at, 300_000)];
          if (c.status !== "open") yield [`s${c.i}b`, c.id, "open", "waiting", plus(c.at, 3_600_000)];
          if (c.status === "resolved") yield [`s${c.i}c`, c.id, "waiting", "resolved", plus(c.at, 7_200_000)];
        }
      })(),
    );
    await writer.insert(
      "Message",
      ["id", "conversationId", "direction", "authorKind", "text", "value", "channel", "processedAt", "createdAt"],
      (function* (): Generator<Cell[]> {
        for (const c of conversationsOf(plan)) {
          for (let k = 0; k < MESSAGES_PER_CONVERSATION; k++) {
            const at = plus(c.at, k * 30_000);
            if (k % 2 === 1) {
              yield [`m${c.i}-${k}`, c.id, "out", "bot", "Dank je. Ik zet het door naar de gebiedsregisseur.", null, "webchat", null, at];
            } else if (k % 4 === 2) {
              yield [`m${c.i}-${k}`, c.id, "in", "resident", "Ja", "yes", "webchat", at, at];
            } else {
              const text = (TYPED[(k / 2) % TYPED.length] ?? "Hoi").replace("{n}", String(c.i % 200));
              yield [`m${c.i}-${k}`, c.id, "in", "resident", text, null, "webchat", at, at];
            }
          }
        }
      })(),
    );
  } finally {
    await writer.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A median wall time and the CPU this process spent in that run (on a shared machine the CPU is the steadier figure). */
export interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timed(runs: number, work: () => Promise<unknown>): Promise<Timing> {
  await work();
  const runsDone: Timing[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await work();
    const used = process.cpuUsage(cpu);
    runsDone.push({ wallMs: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000 });
  }
  const wallMs = median(runsDone.map((run) => run.wallMs));
  return { wallMs, cpuMs: runsDone.find((run) => run.wallMs === wallMs)?.cpuMs ?? Number.NaN };
}

/** Seeds a year into the (empty) database at `url` and measures the digest and the inbox's first page. */
export async function benchYear(url: string, messages: number): Promise<YearFigures> {
  await migrateDatabase(url);
  const db: Db = createDb(url);
  try {
    if (url.startsWith("file:")) await prepareSqliteConnection(db);
    await seedDemoGemeente(db);
    const gemeente = await db.gemeente.findFirstOrThrow();
    const wijken = await db.wijk.findMany({ where: { gemeenteId: gemeente.id }, select: { id: true, tandemId: true }, orderBy: { slug: "asc" } });
    const now = new Date();
    const conversations = Math.round(messages / MESSAGES_PER_CONVERSATION);
    const seedStart = process.hrtime.bigint();
    await seedYear(url, { gemeenteId: gemeente.id, wijken, now, conversations });
    const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9;

    const settings = loadFlows().settings;
    const week = addIsoWeeks(isoWeekOf(now, gemeente.timeZone), -1);
    const wethouder = await db.staffUser.findUniqueOrThrow({ where: { email: "wethouder.c@demo.wijklijn.nl" } });
    const wethouderDigest = await timed(3, () => getWethouderDigest(db, wethouder.id, week, { settings, now }));
    const gemeenteDigest = await timed(3, () => getGemeenteDigest(db, gemeente.id, week, { settings, now }));
    const overview = await getGemeenteDigest(db, gemeente.id, week, { settings, now });

    const app = createApp({ db, provider: url.startsWith("file:") ? "sqlite" : "postgresql", logger: createLogger({ level: "warn" }), settings: () => settings, timeZone: gemeente.timeZone });
    const server = await new Promise<import("node:http").Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    const address = server.address();
    const base = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
    const pageTime = async (email: string) => {
      const staff = await db.staffUser.findUniqueOrThrow({ where: { email } });
      const cookie = `wl_staff=${(await createStaffSession(db, staff.id)).id}`;
      return timed(9, async () => {
        const response = await fetch(`${base}/inbox`, { headers: { cookie } });
        await response.text();
        if (response.status !== 200) throw new Error(`GET /inbox answered ${response.status}`);
      });
    };
    try {
      const inboxGebiedsregisseur = await pageTime("gr.mierlo@demo.wijklijn.nl");
      const inboxAdmin = await pageTime("admin@demo.wijklijn.nl");
      return {
        messages: conversations * MESSAGES_PER_CONVERSATION,
        conversations,
        seedSeconds,
        wethouderDigest,
        gemeenteDigest,
        inboxGebiedsregisseur,
        inboxAdmin,
        weekConversations: overview.digest.total.newConversations.count,
      };
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  } finally {
    await db.$disconnect();
  }
}
