/**
 * Photos (and other files) a resident sent are stored as a media reference (`photo:<file_id>`);
 * the bytes stay at Telegram until someone needs them. This downloads them through the Bot API:
 * getFile, then GET `<apiRoot>/file/bot<token>/<file_path>` (https://core.telegram.org/bots/api#getfile).
 */
import type { Api } from "grammy";
import { z } from "zod";

/** Bots may download files up to 20 MB. */
export const TELEGRAM_MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** A downloaded file. */
export interface TelegramFile {
  bytes: Buffer;
  /** Telegram's path of the file, e.g. `photos/file_12.jpg` (no token in it). */
  filePath: string;
  contentType: string;
}

/** A file could not be fetched; the message never contains the bot token. */
export class TelegramFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TelegramFileError";
  }
}

const FileSchema = z.object({ file_id: z.string(), file_path: z.string().min(1).optional(), file_size: z.number().optional() });

const CONTENT_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  oga: "audio/ogg",
  ogg: "audio/ogg",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  pdf: "application/pdf",
};

/** Downloads one file by its file_id. */
export async function downloadTelegramFile(deps: { api: Api; token: string; apiRoot: string; timeoutMs?: number }, fileId: string): Promise<TelegramFile> {
  let info: z.infer<typeof FileSchema>;
  try {
    info = FileSchema.parse(await deps.api.getFile(fileId));
  } catch (error) {
    throw new TelegramFileError(`Telegram getFile failed: ${error instanceof Error ? error.message : "unknown error"}`);
  }
  if (!info.file_path) throw new TelegramFileError("Telegram has no download path for this file (it may be larger than 20 MB)");
  if (info.file_size !== undefined && info.file_size > TELEGRAM_MAX_DOWNLOAD_BYTES) throw new TelegramFileError("The file is larger than the 20 MB a bot may download");

  const path = info.file_path.split("/").map(encodeURIComponent).join("/");
  let response: Response;
  try {
    response = await fetch(`${deps.apiRoot}/file/bot${deps.token}/${path}`, { signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000) });
  } catch (error) {
    throw new TelegramFileError(`Downloading the file from Telegram failed: ${error instanceof Error ? error.name : "network error"}`);
  }
  if (!response.ok) throw new TelegramFileError(`Downloading the file from Telegram failed with HTTP ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > TELEGRAM_MAX_DOWNLOAD_BYTES) throw new TelegramFileError("The file is larger than the 20 MB a bot may download");
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > TELEGRAM_MAX_DOWNLOAD_BYTES) throw new TelegramFileError("The file is larger than the 20 MB a bot may download");

  const extension = /\.([a-z0-9]+)$/i.exec(info.file_path)?.[1]?.toLowerCase() ?? "";
  const header = response.headers.get("content-type")?.split(";")[0]?.trim();
  const contentType = CONTENT_TYPES[extension] ?? (header && header !== "application/octet-stream" ? header : "application/octet-stream");
  return { bytes, filePath: info.file_path, contentType };
}

/**
 * Reads a stored media reference (`photo:<file_id>`, as the processor stores inbound media) and
 * downloads it; null when the reference is not a Telegram file reference.
 */
export function createTelegramMediaFetcher(download: (fileId: string) => Promise<TelegramFile>): (mediaRef: string) => Promise<TelegramFile | null> {
  return async (mediaRef) => {
    const match = /^(?:photo|voice|video|document|sticker):(.+)$/.exec(mediaRef);
    return match?.[1] ? download(match[1]) : null;
  };
}
