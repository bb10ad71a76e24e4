import { describe, expect, it } from "vitest";
import { redactText } from "../../src/privacy/redact.ts";
import { captureLogger } from "../helpers/logger.ts";

describe("redactText", () => {
  it.each([
    ["bel me op 06-12345678", "bel me op [telefoon]"],
    ["mijn nummer: 0612345678.", "mijn nummer: [telefoon]."],
    ["+31 6 12345678 graag", "[telefoon] graag"],
    ["0031612345678", "[telefoon]"],
    ["vast: 040-2345678", "vast: [telefoon]"],
    ["(040) 234 5678", "[telefoon]"],
    ["mail jan.jansen@example.nl", "mail [e-mail]"],
    ["whatsapp 31612345678@c.us kwam binnen", "whatsapp [whatsapp-id] kwam binnen"],
    ["IBAN NL91ABNA0417164300", "IBAN [iban]"],
  ])("redacts %j", (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it("leaves postcodes, dates and reference numbers alone", () => {
    const text = "Melding WL-2026-00042 over 5662 AB op 26-11-2026 om 19:30";
    expect(redactText(text)).toBe(text);
  });
});

describe("the logger", () => {
  it("never writes resident text or phone numbers", () => {
    const { logger, lines } = captureLogger();
    logger.info({ text: "er ligt afval bij mijn huis", externalId: "31612345678@c.us", conversationId: "c1" }, "inbound message");
    logger.info({ message: { text: "geheim", from: "0612345678" } }, "nested");
    logger.warn("failed to send to 06-12345678");
    logger.error({ err: new Error("bounce from jan@example.nl") }, "mail failed");
    const output = lines.join("\n");
    expect(output).toContain("c1");
    for (const secret of ["afval bij mijn huis", "31612345678", "geheim", "0612345678", "06-12345678", "jan@example.nl"]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain("[redacted]");
    expect(output).toContain("[telefoon]");
  });
});
