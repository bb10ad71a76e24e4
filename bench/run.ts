/**
 * `npm run bench`: Wijklijn's speed figures on this machine, printed as a table, with a floor
 * (an empty loop measured in the same run) to compare against. Nothing here is a test: tests
 * never time things.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBot } from "../src/bot/wijklijnBot.ts";
import { createWebchatAdapter } from "../src/channels/webchat/webchatChannel.ts";
import { loadTriageModel } from "../src/conversation/loadTriageModel.ts";
import { triageResidentText } from "../src/conversation/residentTriage.ts";
import { loadSafetyLanguages } from "../src/conversation/safetyLanguages.ts";
import { loadTriageLexicon, triageText } from "../src/conversation/triage.ts";
import { predictWithModel } from "../src/conversation/triageModel.ts";
import { createDb } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { seedDemoGemeente } from "../src/db/seedDemo.ts";
import { findWijkByLocation, findWijkByPostcode } from "../src/db/wijk.repo.ts";
import { createLogger } from "../src/log.ts";
import { parsePostcode } from "../src/routing/postcode.ts";

interface Row {
  name: string;
  count: number;
  seconds: number;
  unit: string;
}

async function measure(name: string, count: number, unit: string, work: (i: number) => unknown | Promise<unknown>): Promise<Row> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await work(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, count, seconds, unit };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "wijklijn-bench-"));
  const url = `file:${join(dir, "bench.db")}`;
  await migrateDatabase(url);
  const db = createDb(url);
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await seedDemoGemeente(db);
  const gemeente = await db.gemeente.findFirstOrThrow();
  const lexicon = loadTriageLexicon();
  const model = loadTriageModel();
  const languages = loadSafetyLanguages();
  const texts = ["Er ligt al dagen zwerfafval bij de speeltuin", "De lantaarnpaal in onze straat is kapot", "ik zie het echt niet meer zitten allemaal", "yardim edin yangin var"];
  const rows: Row[] = [];

  rows.push(await measure("floor: empty async loop", 100_000, "op", async () => undefined));
  rows.push(await measure("postcode parsing", 100_000, "text", (i) => parsePostcode(`ik woon op 56${60 + (i % 8)} AB nummer ${i % 100}`)));
  rows.push(await measure("triage model alone (3 heads)", 20_000, "text", (i) => predictWithModel(model, texts[i % texts.length] ?? "")));
  rows.push(await measure("triage: model + lexicon + safety rules", 5_000, "text", (i) => triageText(texts[i % texts.length] ?? "", lexicon, model)));
  rows.push(await measure("triage as the bot does it (+ language, other languages' cues)", 5_000, "text", (i) => triageResidentText(texts[i % texts.length] ?? "", { model, lexicon, languages })));
  rows.push(await measure("wijk lookup by postcode (SQLite)", 2_000, "lookup", (i) => findWijkByPostcode(db, gemeente.id, `5731 ${String.fromCharCode(65 + (i % 4))}B`)));
  rows.push(await measure("wijk lookup by location (SQLite)", 2_000, "lookup", (i) => findWijkByLocation(db, gemeente.id, 51.4 + (i % 50) / 1000, 5.53 + (i % 100) / 1000)));

  const bot = await startBot({ db, provider: "sqlite", logger: createLogger({ level: "silent" }), gemeente, publicUrl: "http://bench", secret: "b".repeat(32), channels: [createWebchatAdapter()] });
  const residents = 200;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: residents }, async (_, r) => {
      for (const [j, text] of ["hoi", "ja", "5662 AB", "ja", "menu"].entries()) {
        await bot.processor.ingest({ channel: "webchat", externalId: `bench-${r}-abcdefghijklmnop`, channelMessageId: `bench-${r}-${j}`, text });
      }
    }),
  );
  await bot.processor.idle();
  rows.push({ name: "inbound messages stored and answered (SQLite, 200 residents)", count: residents * 5, seconds: Number(process.hrtime.bigint() - start) / 1e9, unit: "message" });
  await bot.stop();
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });

  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`${"benchmark".padEnd(width)}  ${"count".padStart(8)}  ${"per second".padStart(12)}  ${"µs each".padStart(10)}`);
  for (const row of rows) {
    const perSecond = row.count / row.seconds;
    console.log(`${row.name.padEnd(width)}  ${String(row.count).padStart(8)}  ${perSecond.toFixed(0).padStart(12)}  ${((row.seconds / row.count) * 1e6).toFixed(1).padStart(10)}`);
  }
  console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}. "floor" is the cost of the loop itself; compare rows against it.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
