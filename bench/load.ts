/**
 * The bench's load generator: Telegram webhook updates from many chats, posted over keep-alive
 * HTTP connections as fast as the server answers (closed loop, as wrk does), with every answer's
 * latency recorded. A chat's messages go out in order, one round of all chats after another.
 */
import { Agent, request } from "node:http";

/** The webhook secret the bench's services are started with. */
export const BENCH_WEBHOOK_SECRET = "wijklijn-bench-secret";

/** What a resident writes in each round (a first contact, consent, a postcode, a report, a thank-you). */
export const ROUND_TEXTS = ["Hoi", "ja", "5662 AB", "Er ligt al dagen zwerfafval bij de speeltuin", "dank je"];

/** A load run's outcome: latencies in ms (sorted), the statuses seen, and its wall time. */
export interface LoadResult {
  sent: number;
  latenciesMs: number[];
  statuses: Map<number, number>;
  seconds: number;
}

/** The Telegram Update of chat `chat`'s message in round `round`. */
export function telegramUpdate(chat: number, round: number, chats: number, firstChat = 0): string {
  const chatId = 100_000_000 + firstChat + chat;
  return JSON.stringify({
    update_id: firstChat * 100 + round * chats + chat + 1,
    message: {
      message_id: round + 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private", first_name: "Bewoner" },
      from: { id: chatId, is_bot: false, first_name: "Bewoner", language_code: "nl" },
      text: ROUND_TEXTS[round % ROUND_TEXTS.length],
    },
  });
}

/** Posts `rounds` messages from each of `chats` chats (numbered from `firstChat`) to `url` over `connections` connections. */
export async function postUpdates(url: string, options: { chats: number; rounds: number; connections: number; firstChat?: number }): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = options.chats * options.rounds;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-telegram-bot-api-secret-token": BENCH_WEBHOOK_SECRET },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (next < total) {
        const i = next++;
        const body = telegramUpdate(i % options.chats, Math.floor(i / options.chats), options.chats, options.firstChat);
        const sentAt = process.hrtime.bigint();
        let status: number;
        try {
          status = await post(body);
        } catch {
          status = 0;
        }
        latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { sent: total, latenciesMs: latencies, statuses, seconds };
}

/** The q-quantile (0..1) of sorted values. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
