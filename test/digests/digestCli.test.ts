import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.ts";
import { WeeklyDigestSchema } from "../../src/digests/weeklyDigest.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { decodeHeader, parseMime, startLocalSmtp, type LocalSmtp } from "./localSmtp.ts";
import { seedWeekOfWethouderC } from "./seedDigestWeek.ts";

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line), env }, out, err };
}

describeEachDatabase("npm run cli -- digest", (provider) => {
  let t: TestDatabase;
  let smtp: LocalSmtp;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    await seedWeekOfWethouderC(t.db);
    smtp = await startLocalSmtp();
    env = { DATABASE_URL: t.url, PUBLIC_URL: "https://wijklijn.example.nl", LOG_LEVEL: "silent" };
  });
  afterAll(async () => {
    await smtp?.close();
    await t?.drop();
  });
  const digest = (...args: string[]) => ["digest", "--wethouder", "wethouder.c@demo.wijklijn.nl", "--week", "2026-W48", ...args];

  it("prints the plain-text digest by default", async () => {
    const run = capture(env);
    expect(await runCli(digest(), run.io)).toBe(0);
    const text = run.out.join("\n");
    expect(text).toMatch(/^Onderwerp: Wijklijn weekoverzicht week 48: /);
    expect(text).toContain("WIJKLIJN · WEEKOVERZICHT WEEK 48");
    expect(text).toContain("Voor Wethouder C · Buitengebied (Gijzenrooi e.o.), Kerkakkers, Luchen, Mierlo-Dorp, Neerakkers");
    expect(text).toContain("Online lezen: https://wijklijn.example.nl/inbox/digests/2026-W48");
  });

  it("prints the HTML e-mail and the JSON", async () => {
    const html = capture(env);
    expect(await runCli(digest("--format", "html"), html.io)).toBe(0);
    expect(html.out.join("\n")).toMatch(/^<!doctype html>[\s\S]*Onderwerpen per wijk[\s\S]*<\/html>$/);
    const json = capture(env);
    expect(await runCli(digest("--format", "json"), json.io)).toBe(0);
    const parsed = WeeklyDigestSchema.parse(JSON.parse(json.out.join("\n")));
    expect(parsed.week).toBe("2026-W48");
    expect(parsed.audience).toEqual({ kind: "wethouder", name: "Wethouder C", email: "wethouder.c@demo.wijklijn.nl" });
  });

  it("explains that mail is off without SMTP_URL", async () => {
    const run = capture(env);
    expect(await runCli(digest("--send"), run.io)).toBe(1);
    expect(run.err.join("\n")).toMatch(/Mail is off: SMTP_URL is not set/);
    expect(await t.db.digestRun.count()).toBe(0);
  });

  it("sends through SMTP_URL once, and says so when the week was sent already", async () => {
    // A week long over, whatever today's date: the command uses the real clock.
    const sendEnv = { ...env, SMTP_URL: smtp.url, MAIL_FROM: "Wijklijn <wijklijn@gemeente.test>" };
    const args = ["digest", "--wethouder", "wethouder.c@demo.wijklijn.nl", "--week", "2020-W53", "--send"];
    const first = capture(sendEnv);
    expect(await runCli(args, first.io)).toBe(0);
    expect(first.out).toEqual(["Sent the digest of 2020-W53 to wethouder.c@demo.wijklijn.nl."]);
    expect(smtp.received).toHaveLength(1);
    expect(decodeHeader(parseMime(smtp.received[0]?.raw ?? "").headers.get("subject") ?? "")).toBe("Wijklijn weekoverzicht week 53: een rustige week");
    const second = capture(sendEnv);
    expect(await runCli(args, second.io)).toBe(0);
    expect(second.out.join()).toMatch(/was already sent to wethouder.c@demo.wijklijn.nl on .*; nothing sent/);
    expect(smtp.received).toHaveLength(1);
  });

  it("does not send a week that is not over yet", async () => {
    const run = capture({ ...env, SMTP_URL: smtp.url });
    expect(await runCli(["digest", "--wethouder", "wethouder.c@demo.wijklijn.nl", "--week", "2999-W01", "--send"], run.io)).toBe(1);
    expect(run.err.join("\n")).toMatch(/can be sent once the week is over/);
    expect(await t.db.digestRun.count({ where: { week: "2999-W01" } })).toBe(0);
  });

  it.each([
    [["digest", "--wethouder", "wethouder.c@demo.wijklijn.nl", "--week", "2026-48"], 2, /--week: "2026-48" is not an ISO week/],
    [["digest", "--wethouder", "wethouder.c@demo.wijklijn.nl", "--week", "2025-W53"], 2, /not an ISO week/],
    [["digest", "--wethouder", "wethouder.c@demo.wijklijn.nl", "--week", "2026-W48", "--format", "pdf"], 2, /--format must be text, html or json/],
    [["digest", "--week", "2026-W48"], 2, /--wethouder is required/],
    [["digest", "--wethouder", "niemand@demo.wijklijn.nl", "--week", "2026-W48"], 1, /no wethouder with e-mail niemand@demo.wijklijn.nl/],
    [["digest", "--wethouder", "gr.mierlo@demo.wijklijn.nl", "--week", "2026-W48"], 1, /no wethouder with e-mail gr.mierlo/],
  ])("explains what is wrong with %j", async (argv, code, message) => {
    const run = capture(env);
    expect(await runCli(argv, run.io)).toBe(code);
    expect(run.err.join("\n")).toMatch(message);
  });

  it("is listed in --help", async () => {
    const run = capture(env);
    expect(await runCli(["--help"], run.io)).toBe(0);
    expect(run.out.join("\n")).toContain("digest --wethouder <e> --week <2026-W48> [--format text|html|json] [--send]");
  });
});
