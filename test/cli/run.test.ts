import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { hashToken } from "../../src/db/staff.repo.ts";
import { runCli } from "../../src/cli/run.ts";
import { createEmptyDatabaseUrl, describeEachDatabase } from "../helpers/db.ts";

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line), env }, out, err };
}

describeEachDatabase("the admin CLI", (provider) => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await createEmptyDatabaseUrl(provider));
  });
  afterAll(async () => drop?.());

  it("seeds the demo gemeente into an empty database, and a second run adds nothing", async () => {
    const first = capture({ DATABASE_URL: url });
    expect(await runCli(["seed", "demo"], first.io)).toBe(0);
    expect(first.out.join()).toMatch(/11 wijken, 4 tandems/);
    const second = capture({ DATABASE_URL: url });
    expect(await runCli(["seed", "demo"], second.io)).toBe(0);
    expect(second.out.join()).toMatch(/already there; added 0 news items, 0 dialoogtafels, 0 postcode rules, 0 staff accounts/);
  });

  it("adds a staff user to a tandem and creates a token stored only as a hash", async () => {
    const add = capture({ DATABASE_URL: url });
    expect(await runCli(["user", "add", "--email", "Nieuw@Example.nl", "--role", "gebiedsregisseur", "--tandem", "mierlo", "--name", "Gebiedsregisseur Mierlo 2"], add.io)).toBe(0);
    const token = capture({ DATABASE_URL: url });
    expect(await runCli(["token", "create", "--email", "nieuw@example.nl"], token.io)).toBe(0);
    const printed = token.out[0] ?? "";
    expect(printed).toMatch(/^wl_[\w-]{32}$/);

    const db = createDb(url);
    try {
      const user = await db.staffUser.findUniqueOrThrow({ where: { email: "nieuw@example.nl" }, include: { tandems: { include: { tandem: true } }, apiTokens: true } });
      expect(user.tandems.map((m) => m.tandem.slug)).toEqual(["mierlo"]);
      expect(user.apiTokens).toHaveLength(1);
      expect(user.apiTokens[0]?.tokenHash).toBe(hashToken(printed));
      expect(JSON.stringify(user.apiTokens)).not.toContain(printed);
      expect(await db.auditEvent.count({ where: { action: { in: ["staff.created", "token.created"] } } })).toBe(2);
    } finally {
      await db.$disconnect();
    }
  });

  it.each([
    [["user", "add", "--email", "x@y.nl", "--role", "baas"], 2, /--role must be/],
    [["user", "add", "--role", "admin"], 2, /--email is required/],
    [["user", "add", "--email", "x@y.nl", "--role", "wethouder", "--tandem", "atlantis"], 1, /no tandem "atlantis". Known tandems: .*mierlo/],
    [["token", "create", "--email", "niemand@y.nl"], 1, /no staff user with e-mail niemand@y.nl/],
    [["user", "add", "--email", "x@y.nl", "--role", "admin", "--bogus"], 2, /Unknown option '--bogus'/],
    [["launch", "rockets"], 2, /Unknown command: launch rockets/],
  ])("explains what is wrong with %j", async (argv, code, message) => {
    const run = capture({ DATABASE_URL: url });
    expect(await runCli(argv, run.io)).toBe(code);
    expect(run.err.join("\n")).toMatch(message);
  });

  it("refuses a bad configuration with the variable's name", async () => {
    const run = capture({ DATABASE_URL: "mysql://nope" });
    expect(await runCli(["seed", "demo"], run.io)).toBe(78);
    expect(run.err.join()).toMatch(/DATABASE_URL/);
  });
});

describe("npm run cli -- --help", () => {
  it("lists the commands", () => {
    const output = execFileSync("npm", ["run", "--silent", "cli", "--", "--help"], { encoding: "utf8" });
    expect(output).toMatch(/seed demo/);
    expect(output).toMatch(/user add --email/);
    expect(output).toMatch(/token create --email/);
  });
});
