import { describe, expect, it } from "vitest";
import { declaredPhotoType, detectPhotoType } from "../../../src/channels/webchat/webchatPhotos.ts";
import { renderWebchatPage, WEBCHAT_TEXTS } from "../../../src/channels/webchat/webchatTexts.ts";

describe("web chat photos", () => {
  it("knows JPEG, PNG and WebP by their first bytes, whatever the browser declared", () => {
    expect(detectPhotoType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(detectPhotoType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe("image/png");
    expect(detectPhotoType(Buffer.from("RIFF\0\0\0\0WEBPVP8 ", "latin1"))).toBe("image/webp");
    expect(detectPhotoType(Buffer.from("GIF89a"))).toBeNull();
    expect(detectPhotoType(Buffer.from("<svg></svg>"))).toBeNull();
  });

  it("accepts only photo content types, with or without parameters", () => {
    expect(declaredPhotoType("image/PNG; charset=binary")).toBe("image/png");
    expect(declaredPhotoType("image/svg+xml")).toBeNull();
    expect(declaredPhotoType(undefined)).toBeNull();
  });
});

describe("the web chat page's texts", () => {
  it("has every text in both languages", () => {
    expect(Object.keys(WEBCHAT_TEXTS.en).sort()).toEqual(Object.keys(WEBCHAT_TEXTS.nl).sort());
  });

  it("fills the page in the resident's language, escaped, with the texts as JSON that cannot end its block", () => {
    const page = renderWebchatPage('<html lang="{{lang}}"><b>{{send}}</b><i>{{hint}}</i><script type="application/json">{{texts}}</script>', "en");
    expect(page).toContain('<html lang="en"><b>Send</b>');
    expect(page).toContain("&#34;hello&#34;");
    expect(page).not.toMatch(/<script type="application\/json">[\s\S]*<\/[^s]/);
    expect(JSON.parse(/<script type="application\/json">(.*)<\/script>/.exec(page)?.[1] ?? "")).toEqual(WEBCHAT_TEXTS);
  });
});
