import { describe, expect, it } from "vitest";
import { chooseDialoogtafel, type TafelForChoice } from "../../src/conversation/dialoogtafelChoice.ts";

const zone = "Europe/Amsterdam";
// As the list shows them: the resident's own tandem first, then the others of the gemeente.
const tafels: TafelForChoice[] = [
  { id: "mierlo", title: "Dialoogtafel Mierlo", topic: "Het nieuwe dorpshart", location: "Ontmoetingscentrum, Mierlo", startsAt: new Date("2026-12-17T18:30:00Z") }, // a Thursday
  { id: "noord", title: "Dialoogtafel Geldrop-Noord", topic: "Een prettig en veilig centrum", location: "Wijkhuis De Coevering, Geldrop", startsAt: new Date("2026-12-15T18:30:00Z") }, // a Tuesday
  { id: "zuid", title: "Dialoogtafel Geldrop-Zuid", topic: "Spelen en bewegen in de wijk", location: "Buurthuis Genoenhuis, Geldrop", startsAt: new Date("2026-12-23T18:30:00Z") }, // a Wednesday
  { id: "buiten", title: "Dialoogtafel Buitengebied", topic: "Landwegen, verkeer en natuur", location: "Boerderij Gijzenrooi", startsAt: new Date("2027-01-07T18:30:00Z") }, // a Thursday
];
const choose = (text: string) => chooseDialoogtafel(text, tafels, zone);

describe("chooseDialoogtafel", () => {
  it("reads the place: 'die in mierlo ja'", () => {
    expect(choose("die in mierlo ja")).toBe("mierlo");
    expect(choose("die in het ontmoetingscentrum")).toBe("mierlo");
    expect(choose("gijzenrooi")).toBe("buiten");
  });

  it("reads the number in the list: '2', 'nummer 2', 'de eerste', 'de 3e', 'de laatste'", () => {
    expect(choose("2")).toBe("noord");
    expect(choose("nummer 2")).toBe("noord");
    expect(choose("de eerste")).toBe("mierlo");
    expect(choose("de 3e")).toBe("zuid");
    expect(choose("doe maar de tweede")).toBe("noord");
    expect(choose("de laatste")).toBe("buiten");
    expect(choose("the first one please")).toBe("mierlo");
  });

  it("reads the day: 'die van dinsdag', and a day two tafels share with a place word", () => {
    expect(choose("die van dinsdag")).toBe("noord");
    expect(choose("die van woensdag")).toBe("zuid");
    // Two on a Thursday: the day alone names neither, with the place it does.
    expect(choose("die van donderdag")).toBeNull();
    expect(choose("donderdag in mierlo")).toBe("mierlo");
    expect(choose("op 7 januari")).toBe("buiten");
    expect(choose("the one on tuesday")).toBe("noord");
  });

  it("reads the title and topic: 'geldrop zuid', 'het dorpshart', a small typo", () => {
    expect(choose("geldrop zuid")).toBe("zuid");
    expect(choose("die over het dorpshart")).toBe("mierlo");
    expect(choose("spelen en bewegen")).toBe("zuid");
    expect(choose("buitengebeid")).toBe("buiten");
  });

  it("names none when the words fit several or none", () => {
    expect(choose("die in geldrop")).toBeNull();
    expect(choose("dialoogtafel")).toBeNull();
    expect(choose("wat is een dialoogtafel eigenlijk")).toBeNull();
    expect(choose("9")).toBeNull();
    expect(choose("zondag")).toBeNull();
  });
});
