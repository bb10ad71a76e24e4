/**
 * Photos a web chat resident sends. Other channels keep the bytes at the platform and store a
 * reference; the web chat has no platform, so the bytes go to a file under the media directory and
 * the message stores the reference (`photo:webchat/<id>.<ext>`), never the bytes.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The largest photo the web chat accepts (phones' photos are 2–4 MB). */
export const WEBCHAT_MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/** The photo types the web chat accepts, with the file extension each is stored under. */
export const WEBCHAT_PHOTO_TYPES = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" } as const;
export type WebchatPhotoType = keyof typeof WEBCHAT_PHOTO_TYPES;

/** What the bytes are, by their first bytes (the declared type is the browser's guess); null when none of ours. */
export function detectPhotoType(bytes: Buffer): WebchatPhotoType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (bytes.length >= 12 && bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP") return "image/webp";
  return null;
}

const PHOTO_TYPES: WebchatPhotoType[] = ["image/jpeg", "image/png", "image/webp"];

/** The accepted photo type a Content-Type header names (parameters ignored), or null. */
export function declaredPhotoType(contentType: string | undefined): WebchatPhotoType | null {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return PHOTO_TYPES.find((known) => known === type) ?? null;
}

/** Writes a photo under `<mediaDir>/webchat/` with a random name; returns its media reference (without the kind). */
export async function storeWebchatPhoto(mediaDir: string, bytes: Buffer, type: WebchatPhotoType): Promise<string> {
  const name = `${randomUUID()}.${WEBCHAT_PHOTO_TYPES[type]}`;
  const dir = join(mediaDir, "webchat");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), bytes, { mode: 0o600 });
  return `webchat/${name}`;
}

/** A stored media reference of a web chat photo (`photo:webchat/<uuid>.<ext>`), nothing else: no path can be smuggled in. */
const WEBCHAT_PHOTO_REF = /^photo:(webchat\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(?:jpg|png|webp))$/;

/**
 * Deletes the files behind web chat photo references (erasure, retention, no consent); other
 * references (a Telegram file id, a WhatsApp media id) have no file here and are skipped. Returns
 * how many files were deleted.
 */
export async function deleteWebchatPhotos(mediaDir: string, mediaRefs: string[]): Promise<number> {
  let deleted = 0;
  for (const ref of mediaRefs) {
    const path = WEBCHAT_PHOTO_REF.exec(ref)?.[1];
    if (!path) continue;
    await rm(join(mediaDir, path), { force: true });
    deleted++;
  }
  return deleted;
}
