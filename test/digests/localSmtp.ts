/**
 * A real SMTP server on loopback (the smtp-server package) that keeps every message it receives,
 * and a small MIME reader for what nodemailer sends: headers, encoded words, multipart parts,
 * quoted-printable and base64. Enough to check a digest e-mail the way a mail client reads it.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** A received message: envelope and raw source. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A running local SMTP server. */
export interface LocalSmtp {
  url: string;
  received: ReceivedMail[];
  /** Refuse the next `count` recipients with a permanent error. */
  refuseNext(count: number): void;
  close(): Promise<void>;
}

/** Starts an SMTP server on a free loopback port, without TLS or authentication. */
export async function startLocalSmtp(): Promise<LocalSmtp> {
  const received: ReceivedMail[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refusals > 0) {
        refusals--;
        // Real servers quote the recipient in the refusal, which is why our errors must not pass it on.
        const error = Object.assign(new Error(`550 5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.server.address();
  const port = address && typeof address === "object" ? (address satisfies AddressInfo).port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(count) {
      refusals = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A parsed MIME entity. */
export interface MimePart {
  headers: Map<string, string>;
  /** The decoded body of a leaf part; empty for a multipart. */
  body: string;
  parts: MimePart[];
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    const char = soft[i] ?? "";
    if (char === "=" && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(char, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Decodes RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=) in a header value. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === "B" ? Buffer.from(text, "base64").toString("utf8") : decodeQuotedPrintable(text.replace(/_/g, " ")),
    );
}

/** Parses a message (or part) into headers, decoded body and sub-parts. */
export function parseMime(raw: string): MimePart {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const rest = split === -1 ? "" : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const sections = rest.split(`--${boundary}`).slice(1);
    const parts = sections.filter((section) => !section.startsWith("--")).map((section) => parseMime(section.replace(/^\r?\n/, "")));
    return { headers, body: "", parts };
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const body = encoding === "quoted-printable" ? decodeQuotedPrintable(rest) : encoding === "base64" ? Buffer.from(rest.replace(/\s+/g, ""), "base64").toString("utf8") : rest;
  return { headers, body, parts: [] };
}

/** All leaf parts of a message, depth first. */
export function leafParts(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leafParts);
}
