/**
 * The Telegram adapter against the fake Bot API, without the bot: starting and stopping, storing
 * before confirming, sending and how send failures reach the outbox, and file downloads.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChannelSendError } from "../../../src/channels/channel.ts";
import { TelegramFileError } from "../../../src/channels/telegram/downloadTelegramFile.ts";
import { createTelegramChannel, type TelegramChannel, type TelegramChannelOptions } from "../../../src/channels/telegram/telegramChannel.ts";
import type { InboundMessage } from "../../../src/domain/messages.ts";
import { FAKE_BOT_INFO, startFakeTelegramBotApi, type FakeTelegramBotApi } from "../../fakes/telegramBotApi.ts";
import { captureLogger } from "../../helpers/logger.ts";
import { telegramTexts, textUpdate, waitUntil } from "./telegramTestKit.ts";

const CHAT = 700_001;

describe("the Telegram channel", () => {
  let fake: FakeTelegramBotApi;
  let channels: TelegramChannel[];
  let stored: InboundMessage[];
  let log: ReturnType<typeof captureLogger>;

  beforeEach(async () => {
    fake = await startFakeTelegramBotApi();
    channels = [];
    stored = [];
    log = captureLogger("debug");
  });
  afterEach(async () => {
    for (const channel of channels) await channel.adapter.stop();
    await fake.close();
  });

  const channel = (overrides: Partial<TelegramChannelOptions> = {}) => {
    const created = createTelegramChannel({
      token: fake.token,
      mode: "polling",
      webhookSecret: undefined,
      apiRoot: fake.apiRoot,
      publicUrl: "https://wijklijn.example",
      ingest: async (message) => {
        stored.push(message);
        return { stored: true, conversationId: "c1" };
      },
      logger: log.logger,
      botInfo: FAKE_BOT_INFO,
      ...telegramTexts(),
      polling: { timeoutSeconds: 5, backoffMs: () => 20 },
      ...overrides,
    });
    channels.push(created);
    return created;
  };

  it("asks Telegram who it is when no bot info is given, and reports ready once polling", async () => {
    const { adapter, readiness } = channel({ botInfo: undefined });
    expect(await readiness.check()).toMatchObject({ ok: false });
    await adapter.start();
    expect(fake.calls[0]).toBe("getMe");
    await waitUntil(() => fake.calls.includes("getUpdates"), "polling started");
    expect(await readiness.check()).toEqual({ ok: true });
  });

  it("refuses to start with a token Telegram does not know, saying what to do", async () => {
    const { adapter } = channel({ botInfo: undefined, token: "999:not-the-right-token-at-all" });
    await expect(adapter.start()).rejects.toThrow(/TELEGRAM_BOT_TOKEN.*BotFather/);
  });

  it("stores polled updates and confirms them to Telegram when it stops", async () => {
    const { adapter } = channel();
    await adapter.start();
    fake.pushUpdate(textUpdate(CHAT, "hoi"));
    fake.pushUpdate(textUpdate(CHAT, "menu"));
    await waitUntil(() => stored.length === 2, "both updates stored");
    expect(stored.map((m) => m.text)).toEqual(["hoi", "menu"]);
    await adapter.stop();
    expect(fake.unconfirmedUpdates()).toBe(0);
  });

  it("does not confirm an update until it is stored: a failing store fetches it again", async () => {
    let failures = 2;
    const { adapter } = channel({
      ingest: async (message) => {
        if (failures > 0) {
          failures--;
          // Database errors may quote the call's arguments below their first line.
          throw new Error(`Invalid \`tx.message.create()\` invocation:\n  data: { text: "${message.text ?? ""} geheim" }`);
        }
        stored.push(message);
        return { stored: true, conversationId: "c1" };
      },
    });
    await adapter.start();
    fake.pushUpdate(textUpdate(CHAT, "hoi"));
    await waitUntil(() => stored.length === 1, "the update stored after two failures");
    expect(stored[0]?.text).toBe("hoi");
    await waitUntil(() => fake.unconfirmedUpdates() === 0, "the update confirmed once stored");
    expect(log.lines.join("\n")).toContain("Could not store a Telegram update");
    expect(log.lines.join("\n")).not.toContain("geheim");
  });

  it("stops while an update cannot be stored without losing it, confirming only the stored ones", async () => {
    const { adapter } = channel({
      ingest: async (message) => {
        if (message.text === "menu") throw new Error("database unavailable");
        stored.push(message);
        return { stored: true, conversationId: "c1" };
      },
    });
    await adapter.start();
    fake.pushUpdate(textUpdate(CHAT, "hoi"));
    fake.pushUpdate(textUpdate(CHAT, "menu"));
    await waitUntil(() => stored.length === 1 && fake.calls.filter((c) => c === "getUpdates").length >= 4, "the failing update fetched again");
    await adapter.stop();
    expect(fake.unconfirmedUpdates()).toBe(1);
    expect(stored.map((m) => m.text)).toEqual(["hoi"]);
  });

  it("sends a message and returns Telegram's chat-scoped message id", async () => {
    const { adapter } = channel();
    const result = await adapter.send({ externalId: String(CHAT), reference: null }, { text: "Hoi!", buttons: [{ label: "Ja", value: "yes" }] });
    const [sent] = fake.sentTo(CHAT);
    expect(result.externalMessageId).toBe(`${CHAT}:${sent?.messageId}`);
    expect(sent?.inlineButtons).toEqual([{ text: "Ja", callbackData: "yes" }]);
  });

  const sendFailure = async (failure: Parameters<FakeTelegramBotApi["failNextSends"]>[1]) => {
    const { adapter } = channel();
    fake.failNextSends(1, failure);
    const error: unknown = await adapter.send({ externalId: String(CHAT), reference: null }, { text: "Hoi!", buttons: [] }).catch((e: unknown) => e);
    if (!(error instanceof ChannelSendError)) throw new Error(`expected a ChannelSendError, got ${String(error)}`);
    return error;
  };

  it("sends a wijkbericht's photo with sendPhoto and the text as caption, and a long text after the photo", async () => {
    const { adapter } = channel();
    const photo = "https://www.geldrop-mierlo.nl/speeltuin.jpg";
    await adapter.send({ externalId: String(CHAT), reference: null }, { text: "De nieuwe speeltuin is open.", buttons: [], image: { url: photo } });
    expect(fake.calls).toContain("sendPhoto");
    expect(fake.sentTo(CHAT).at(-1)).toMatchObject({ photo, text: "De nieuwe speeltuin is open." });
    const long = "Lang bericht. ".repeat(100).trim();
    await adapter.send({ externalId: String(CHAT), reference: null }, { text: long, buttons: [], image: { url: photo } });
    expect(fake.sentTo(CHAT).slice(-2)).toMatchObject([{ photo, text: "" }, { text: long }]);
    expect(fake.sentTo(CHAT).at(-1)?.photo).toBeUndefined();
  });

  it("turns a 429 into a pause of retry_after seconds", async () => {
    const error = await sendFailure({ status: 429, retryAfter: 7 });
    expect(error.options).toEqual({ retryAfterMs: 7000 });
    expect(error.message).toContain("429");
  });

  it("gives up on a resident who blocked the bot (403)", async () => {
    expect((await sendFailure({ status: 403 })).options).toEqual({ permanent: true });
  });

  it("gives up on a message Telegram refuses (400)", async () => {
    expect((await sendFailure({ status: 400 })).options).toEqual({ permanent: true });
  });

  it("retries after a server error (500) or a dropped connection", async () => {
    expect((await sendFailure({ status: 500 })).options).toEqual({});
    expect((await sendFailure({ network: true })).options).toEqual({});
  });

  it("never puts the message text into a send error", async () => {
    const { adapter } = channel();
    fake.failNextSends(1, { status: 400 });
    await expect(adapter.send({ externalId: String(CHAT), reference: null }, { text: "Mijn nummer is 0612345678", buttons: [] })).rejects.not.toThrow(/0612345678/);
  });

  it("downloads a photo a resident sent through the Bot API", async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    fake.addFile("AgAC-large", { path: "photos/file_7.jpg", bytes });
    const { downloadFile, fetchMedia } = channel();
    const file = await downloadFile("AgAC-large");
    expect(file).toEqual({ bytes, filePath: "photos/file_7.jpg", contentType: "image/jpeg" });
    expect((await fetchMedia("photo:AgAC-large"))?.bytes).toEqual(bytes);
    expect(await fetchMedia("https://example.org/x.jpg")).toBeNull();
  });

  it("says why a file cannot be downloaded, without the bot token", async () => {
    const { downloadFile } = channel();
    const error: unknown = await downloadFile("no-such-file").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramFileError);
    expect(String(error)).toContain("invalid file_id");
    expect(String(error)).not.toContain(fake.token);
  });
});
