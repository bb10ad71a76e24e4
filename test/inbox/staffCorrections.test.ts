/**
 * What a gebiedsregisseur found in try 9, over real express on loopback: a false crisis flag can
 * be taken away, the afhandelen page tells the truth about a crisis conversation, a moved
 * conversation arrives open for the new tandem, an empty theme is not shown as "Afval", and a
 * conversation without a wijk can be taken on by the one who reads it.
 */
import express from "express";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadFlows } from "../../src/conversation/loadFlows.ts";
import { addNote, changeStatus, createConversation, findOrCreateIdentity, storeInboundMessage } from "../../src/db/conversation.repo.ts";
import { createStaffSession } from "../../src/db/session.repo.ts";
import { errorHandler } from "../../src/http/errors.ts";
import { conversationPages } from "../../src/inbox/pages/conversationPages.ts";
import { loadStaffSession, requireSignedIn, verifyCsrf } from "../../src/inbox/session.ts";
import { createTestDatabase, describeEachDatabase, type TestDatabase } from "../helpers/db.ts";
import { listen } from "../helpers/http.ts";
import { inboxRequests, rowOf } from "../helpers/inboxPages.ts";
import { captureLogger } from "../helpers/logger.ts";

/** Monday 30 November 2026, 10:00 in Geldrop: the inbox's "now". */
const NOW = new Date("2026-11-30T10:00:00+01:00");
const HOUR = 3_600_000;
const before = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

interface Visitor {
  cookie: string;
  csrf: string;
  id: string;
}

describeEachDatabase("corrections staff asked for (try 9)", (provider) => {
  let t: TestDatabase;
  let url: string;
  let close: () => Promise<void>;
  let gemeenteId: string;
  const logs = captureLogger("error");
  const flows = loadFlows();
  let counter = 0;
  const as: Record<"grNoord" | "grMierlo" | "wethouderNoord", Visitor> = {
    grNoord: { cookie: "", csrf: "", id: "" },
    grMierlo: { cookie: "", csrf: "", id: "" },
    wethouderNoord: { cookie: "", csrf: "", id: "" },
  };

  beforeAll(async () => {
    t = await createTestDatabase(provider, { seed: true });
    gemeenteId = (await t.db.gemeente.findFirstOrThrow()).id;
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(loadStaffSession(t.db));
    app.use("/inbox", requireSignedIn, verifyCsrf);
    app.use(conversationPages({ db: t.db, settings: () => flows.settings, globals: () => flows.globals, timeZone: "Europe/Amsterdam", now: () => NOW, events: { heartbeatMs: 100 } }));
    app.use(errorHandler(logs.logger));
    ({ url, close } = await listen(app));
    const emails = { grNoord: "gr.geldrop-noord@demo.wijklijn.nl", grMierlo: "gr.mierlo@demo.wijklijn.nl", wethouderNoord: "wethouder.a@demo.wijklijn.nl" } as const;
    for (const key of ["grNoord", "grMierlo", "wethouderNoord"] as const) {
      const user = await t.db.staffUser.findUniqueOrThrow({ where: { email: emails[key] } });
      const session = await createStaffSession(t.db, user.id);
      as[key] = { cookie: `wl_staff=${session.id}`, csrf: session.csrfToken, id: user.id };
    }
  });
  afterAll(async () => {
    await close?.();
    await t?.drop();
  });

  /** A conversation the bot handed to staff at `handoverAt`. */
  async function handedOver(input: { wijk: string | null; handoverAt: Date; emergency?: string; theme?: string | null }) {
    const n = ++counter;
    const started = new Date(input.handoverAt.getTime() - 5 * 60_000);
    return t.db.$transaction(async (tx) => {
      const { identity, resident } = await findOrCreateIdentity(tx, { gemeenteId, channel: "webchat", externalId: `corrections-${n}-abcdefghijklmnop` });
      const wijk = input.wijk ? await tx.wijk.findUniqueOrThrow({ where: { gemeenteId_slug: { gemeenteId, slug: input.wijk } } }) : null;
      const conversation = await createConversation(tx, { gemeenteId, residentId: resident.id, channelIdentityId: identity.id, channel: "webchat", wijkId: wijk?.id ?? null, now: started });
      if (wijk) await tx.conversation.update({ where: { id: conversation.id }, data: { tandemId: wijk.tandemId } });
      await storeInboundMessage(tx, conversation.id, { channel: "webchat", externalId: identity.externalId, channelMessageId: `corr-${n}`, text: "Er ligt glas bij de bushalte" }, started);
      await addNote(tx, { conversationId: conversation.id, channel: "webchat", text: "Antwoorden in de chat:\nOmschrijving: glas", authorKind: "bot", now: input.handoverAt });
      await tx.conversation.update({
        where: { id: conversation.id },
        data: { intent: "melding", theme: input.theme === undefined ? "afval" : input.theme, emergency: input.emergency ?? null, lastMessageAt: input.handoverAt },
      });
      await changeStatus(tx, conversation.id, "open", { now: input.handoverAt });
      return conversation;
    });
  }

  const { post, page } = inboxRequests(() => url);

  it("takes away a false crisis flag with a reason: badge and warning gone, a note in the conversation, an audit entry without the words", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: before(1), emergency: "113" });
    const path = `/inbox/c/${conversation.id}`;
    const flagged = await page(path, as.grNoord);
    expect(flagged).toContain("Crisis: 113");
    expect(flagged).toContain("Kijk dit gesprek eerst na.");
    expect(flagged).toContain(`action="${path}/clear-emergency"`);
    expect(flagged).toContain("Geen crisis: vlag weghalen");
    // A wethouder reads along but does not clear it.
    expect(await page(path, as.wethouderNoord)).not.toContain("Geen crisis: vlag weghalen");
    expect((await post(`${path}/clear-emergency`, as.wethouderNoord)).status).toBe(403);
    // Another tandem's gebiedsregisseur sees nothing of it.
    expect((await post(`${path}/clear-emergency`, as.grMierlo)).status).toBe(404);
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).emergency).toBe("113");

    const response = await post(`${path}/clear-emergency`, as.grNoord, { reason: "Bewoner bedoelde\nhet als grap" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${path}?gedaan=geen-nood`);
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).emergency).toBeNull();

    const cleared = await page(`${path}?gedaan=geen-nood`, as.grNoord);
    expect(cleared).not.toContain("Crisis: 113");
    expect(cleared).not.toContain("Kijk dit gesprek eerst na.");
    expect(cleared).not.toContain("Geen crisis: vlag weghalen");
    expect(cleared).toContain("De vlag is weggehaald; er staat een notitie bij.");
    expect(cleared).toContain("Gebiedsregisseur Geldrop-Noord haalde de vlag weg: dit is geen crisis (113). Reden: Bewoner bedoelde het als grap");
    expect(rowOf(await page("/inbox", as.grNoord), conversation.reference)).not.toContain("Crisis: 113");

    const audit = await t.db.auditEvent.findMany({ where: { subjectId: conversation.id, action: "conversation.emergency_cleared" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorStaffId).toBe(as.grNoord.id);
    expect(JSON.parse(audit[0]?.data ?? "{}")).toMatchObject({ from: "113", withReason: true });
    expect(audit[0]?.data).not.toContain("grap");

    // Nothing left to clear: said so, nothing written.
    expect((await post(`${path}/clear-emergency`, as.grNoord)).headers.get("location")).toBe(`${path}?fout=geen-vlag`);
    expect(await t.db.auditEvent.count({ where: { subjectId: conversation.id, action: "conversation.emergency_cleared" } })).toBe(1);
  });

  it("clears a 112 flag without a reason, and refuses a reason longer than one line may be", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: before(1), emergency: "112" });
    const path = `/inbox/c/${conversation.id}`;
    expect(await page(path, as.grNoord)).toContain("Geen noodgeval: vlag weghalen");
    expect((await post(`${path}/clear-emergency`, as.grNoord, { reason: "x".repeat(201) })).headers.get("location")).toBe(`${path}?fout=reden`);
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).emergency).toBe("112");
    expect((await post(`${path}/clear-emergency`, as.grNoord)).headers.get("location")).toBe(`${path}?gedaan=geen-nood`);
    const html = await page(path, as.grNoord);
    expect(html).toContain("haalde de vlag weg: dit is geen noodgeval (112).</div>");
    expect(html).not.toContain("Spoed: 112");
  });

  it("sends back to the list when the cleared conversation was only in sight for its flag", async () => {
    // Still with the bot and no wijk: a gebiedsregisseur sees it only because of the 112.
    const conversation = await handedOver({ wijk: null, handoverAt: before(1), emergency: "112" });
    await t.db.conversation.update({ where: { id: conversation.id }, data: { status: "bot", waitingSince: null } });
    const response = await post(`/inbox/c/${conversation.id}/clear-emergency`, as.grMierlo);
    expect(response.headers.get("location")).toBe("/inbox?gedaan=geen-nood-weg");
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).emergency).toBeNull();
  });

  it("does not promise 'Voelde je je gehoord?' on the afhandelen page of a crisis conversation", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: before(1), emergency: "113" });
    const path = `/inbox/c/${conversation.id}`;
    const pageBefore = await page(path, as.grNoord);
    expect(pageBefore).toContain("De bewoner krijgt geen vraag of hij zich gehoord voelde: dat vragen we niet na spoed of crisis.");
    expect(pageBefore).not.toContain("De bewoner krijgt dan de vraag of hij zich gehoord voelde.");
    await post(`${path}/reply`, as.grNoord, { text: "Gaat het nu weer een beetje?" });
    expect((await post(`${path}/resolve`, as.grNoord)).headers.get("location")).toBe(`${path}/afhandelen`);
    const confirm = await page(`${path}/afhandelen`, as.grNoord);
    expect(confirm).not.toContain("De bewoner krijgt dan dit bericht:");
    expect(confirm).not.toContain("Voelde je je gehoord?</");
    expect(confirm).toContain("De bewoner krijgt geen bericht. Na een gesprek over spoed of crisis (112 of 113) vragen we niet 'Voelde je je gehoord?'.");

    // Without the crisis the question is promised as before.
    const plain = await handedOver({ wijk: "centrum", handoverAt: before(1) });
    await post(`/inbox/c/${plain.id}/reply`, as.grNoord, { text: "Welke bushalte?" });
    expect(await page(`/inbox/c/${plain.id}/afhandelen`, as.grNoord)).toContain("De bewoner krijgt dan dit bericht:");
  });

  it("brings a conversation moved to another tandem in as open, waiting since the move, high in their list", async () => {
    const older = await handedOver({ wijk: "luchen", handoverAt: before(0.5) });
    const conversation = await handedOver({ wijk: "centrum", handoverAt: before(3) });
    const path = `/inbox/c/${conversation.id}`;
    await post(`${path}/assign`, as.grNoord, { assignee: as.grNoord.id });
    await post(`${path}/reply`, as.grNoord, { text: "Dit is Mierlo, ik geef het door aan de collega's daar." });
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe("waiting");

    expect((await post(`${path}/wijk`, as.grNoord, { wijk: "luchen" })).headers.get("location")).toBe("/inbox?gedaan=verplaatst");
    expect(await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).toMatchObject({ status: "open", waitingSince: NOW, assigneeId: null });

    const list = await page("/inbox", as.grMierlo);
    const row = rowOf(list, conversation.reference);
    expect(row).toContain("<td>Open</td>");
    expect(row).not.toContain("Wacht op bewoner");
    expect(row).toContain(`sinds <time datetime="${NOW.toISOString()}">`);
    // Among the open ones, above every conversation that waits on the resident.
    expect(list.indexOf(conversation.reference)).toBeGreaterThan(list.indexOf(older.reference));
    const firstWaiting = list.indexOf("<td>Wacht op bewoner</td>");
    if (firstWaiting >= 0) expect(list.indexOf(conversation.reference)).toBeLessThan(firstWaiting);
    expect(await page(path, as.grMierlo)).toContain("Wacht op ons");
  });

  it("dates the wait back to the resident's unanswered message when there is one", async () => {
    const conversation = await handedOver({ wijk: "centrum", handoverAt: before(5) });
    const path = `/inbox/c/${conversation.id}`;
    await post(`${path}/snooze`, as.grNoord, { mode: "bericht" });
    // The resident wrote while it was snoozed, and nobody answered yet.
    await t.db.$transaction((tx) => storeInboundMessage(tx, conversation.id, { channel: "webchat", externalId: "x", channelMessageId: `late-${conversation.id}`, text: "Nog iets" }, before(2)));
    await post(`${path}/wijk`, as.grNoord, { wijk: "luchen" });
    expect(await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).toMatchObject({ status: "open", waitingSince: before(2), snoozedUntil: null });
    expect(rowOf(await page("/inbox", as.grMierlo), conversation.reference)).toContain(`sinds <time datetime="${before(2).toISOString()}">`);
  });

  it("offers an empty theme, selected, when none is set", async () => {
    const none = await handedOver({ wijk: "centrum", handoverAt: before(1), theme: null });
    const html = await page(`/inbox/c/${none.id}`, as.grNoord);
    const select = html.slice(html.indexOf('<select id="theme"'), html.indexOf("</select>", html.indexOf('<select id="theme"')));
    expect(select).toContain('<option value="" selected>— kies een thema —</option>');
    expect(select).not.toMatch(/value="afval" selected/);
    expect((await post(`/inbox/c/${none.id}/theme`, as.grNoord, { theme: "" })).headers.get("location")).toBe(`/inbox/c/${none.id}?fout=thema`);
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: none.id } })).theme).toBeNull();

    const set = await handedOver({ wijk: "centrum", handoverAt: before(1) });
    const withTheme = await page(`/inbox/c/${set.id}`, as.grNoord);
    expect(withTheme).not.toContain("— kies een thema —");
    expect(withTheme).toContain('<option value="afval" selected>');
  });

  it("offers 'Mij' to assign a conversation without a wijk to the gebiedsregisseur who reads it", async () => {
    const conversation = await handedOver({ wijk: null, handoverAt: before(1) });
    const path = `/inbox/c/${conversation.id}`;
    const html = await page(path, as.grMierlo);
    const select = html.slice(html.indexOf('<select id="assignee"'), html.indexOf("</select>", html.indexOf('<select id="assignee"')));
    expect(select).toContain(`<option value="${as.grMierlo.id}">Mij (Gebiedsregisseur Mierlo)</option>`);
    expect(select).toContain("Niemand");
    expect((await post(`${path}/assign`, as.grMierlo, { assignee: as.grMierlo.id })).headers.get("location")).toBe(`${path}?gedaan=toegewezen`);
    expect((await t.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).assigneeId).toBe(as.grMierlo.id);
    expect(await page(path, as.grMierlo)).toContain(`<option value="${as.grMierlo.id}" selected>Mij (Gebiedsregisseur Mierlo)</option>`);

    // In a tandem's own conversation the reader is among the colleagues already: no second entry.
    const own = await handedOver({ wijk: "luchen", handoverAt: before(1) });
    expect(await page(`/inbox/c/${own.id}`, as.grMierlo)).not.toContain("Mij (");
  });
});
