/**
 * DEMO DATA — ILLUSTRATIVE, NOT OFFICIAL.
 *
 * The demo gemeente Geldrop-Mierlo that every fresh install starts with (see DEMO_DATA). Wijk
 * names follow the municipality's 2024 wijkindeling; the postcode assignments, shapes, staff
 * accounts (and their shared demo password), news items and dialoogtafels are invented for trying
 * the product. Replace them with real data: `npm run cli -- import wijken --geojson <file>` and
 * `import postcodes --csv <file>`.
 */

export const DEMO_LABEL = "Demodata (illustratief, niet officieel)";

export const demoGemeente = { slug: "geldrop-mierlo", name: "Geldrop-Mierlo", cbsCode: "GM1771", timeZone: "Europe/Amsterdam" } as const;

export interface DemoTandem {
  slug: string;
  name: string;
  gebiedsregisseur: { email: string; displayName: string };
  wethouder: { email: string; displayName: string };
}

export const demoTandems: DemoTandem[] = [
  {
    slug: "geldrop-noord",
    name: "Geldrop-Noord",
    gebiedsregisseur: { email: "gr.geldrop-noord@demo.wijklijn.nl", displayName: "Gebiedsregisseur Geldrop-Noord" },
    wethouder: { email: "wethouder.a@demo.wijklijn.nl", displayName: "Wethouder A" },
  },
  {
    slug: "geldrop-zuid",
    name: "Geldrop-Zuid",
    gebiedsregisseur: { email: "gr.geldrop-zuid@demo.wijklijn.nl", displayName: "Gebiedsregisseur Geldrop-Zuid" },
    wethouder: { email: "wethouder.b@demo.wijklijn.nl", displayName: "Wethouder B" },
  },
  {
    slug: "mierlo",
    name: "Mierlo",
    gebiedsregisseur: { email: "gr.mierlo@demo.wijklijn.nl", displayName: "Gebiedsregisseur Mierlo" },
    wethouder: { email: "wethouder.c@demo.wijklijn.nl", displayName: "Wethouder C" },
  },
  {
    slug: "buitengebied",
    name: "Buitengebied",
    gebiedsregisseur: { email: "gr.buitengebied@demo.wijklijn.nl", displayName: "Gebiedsregisseur Buitengebied" },
    wethouder: { email: "wethouder.c@demo.wijklijn.nl", displayName: "Wethouder C" },
  },
];

export const demoAdmin = { email: "admin@demo.wijklijn.nl", displayName: "Beheerder" } as const;

/**
 * The inbox password of every demo account: ILLUSTRATIVE, for trying the product only. It is
 * published (here, in the README and at start-up), so the seed stores only its argon2id hash,
 * the password policy refuses it as anyone's own password, and a real install (DEMO_DATA=false)
 * has no demo accounts. Change it with `npm run cli -- user password --email <e>`.
 */
export const demoPassword = "wijklijn-demo";

/** The demo account that start-up suggests signing in with (the Geldrop-Noord gebiedsregisseur). */
export const demoSignInEmail = "gr.geldrop-noord@demo.wijklijn.nl";

/** Latitude and longitude bounds of an illustrative rectangle. */
export interface Box {
  lat: [number, number];
  lon: [number, number];
}

export interface DemoWijk {
  slug: string;
  name: string;
  kern: string;
  tandem: string;
  /** Undefined for the buitengebied, which is the rest of the bounding area. */
  box?: Box;
}

export const demoWijken: DemoWijk[] = [
  { slug: "centrum", name: "Geldrop-Centrum", kern: "Geldrop", tandem: "geldrop-noord", box: { lat: [51.417, 51.427], lon: [5.552, 5.567] } },
  { slug: "coevering", name: "Coevering", kern: "Geldrop", tandem: "geldrop-noord", box: { lat: [51.427, 51.44], lon: [5.545, 5.565] } },
  { slug: "braakhuizen-noord", name: "Braakhuizen-Noord", kern: "Geldrop", tandem: "geldrop-noord", box: { lat: [51.427, 51.44], lon: [5.565, 5.585] } },
  { slug: "genoenhuis", name: "Genoenhuis", kern: "Geldrop", tandem: "geldrop-zuid", box: { lat: [51.405, 51.417], lon: [5.545, 5.56] } },
  { slug: "zesgehuchten", name: "Zesgehuchten", kern: "Geldrop", tandem: "geldrop-zuid", box: { lat: [51.405, 51.417], lon: [5.56, 5.58] } },
  { slug: "braakhuizen-zuid", name: "Braakhuizen-Zuid", kern: "Geldrop", tandem: "geldrop-zuid", box: { lat: [51.417, 51.427], lon: [5.567, 5.585] } },
  { slug: "mierlo-dorp", name: "Mierlo-Dorp", kern: "Mierlo", tandem: "mierlo", box: { lat: [51.437, 51.445], lon: [5.61, 5.625] } },
  { slug: "luchen", name: "Luchen", kern: "Mierlo", tandem: "mierlo", box: { lat: [51.445, 51.455], lon: [5.61, 5.63] } },
  { slug: "neerakkers", name: "Neerakkers", kern: "Mierlo", tandem: "mierlo", box: { lat: [51.43, 51.437], lon: [5.605, 5.625] } },
  { slug: "kerkakkers", name: "Kerkakkers", kern: "Mierlo", tandem: "mierlo", box: { lat: [51.437, 51.445], lon: [5.625, 5.64] } },
  { slug: "buitengebied", name: "Buitengebied (Gijzenrooi e.o.)", kern: "Geldrop en Mierlo", tandem: "buitengebied" },
];

/** The area the buitengebied fills, minus every other wijk. */
export const demoBounds: Box = { lat: [51.39, 51.46], lon: [5.52, 5.66] };

/** Postcode rules: four digits, optional letter range, and the wijk (null: no wijk, a PO box). */
export const demoPostcodeRules: Array<{ postcode4: string; letterFrom?: string; letterTo?: string; wijk: string | null }> = [
  { postcode4: "5661", wijk: "centrum" },
  { postcode4: "5662", wijk: "coevering" },
  { postcode4: "5663", wijk: "genoenhuis" },
  { postcode4: "5664", wijk: "zesgehuchten" },
  { postcode4: "5665", wijk: "braakhuizen-noord" },
  { postcode4: "5666", wijk: "braakhuizen-zuid" },
  { postcode4: "5667", wijk: "buitengebied" },
  { postcode4: "5731", wijk: "mierlo-dorp" },
  { postcode4: "5731", letterFrom: "AA", letterTo: "AZ", wijk: "mierlo-dorp" },
  { postcode4: "5731", letterFrom: "BA", letterTo: "BZ", wijk: "luchen" },
  { postcode4: "5731", letterFrom: "CA", letterTo: "CZ", wijk: "neerakkers" },
  { postcode4: "5731", letterFrom: "DA", letterTo: "DZ", wijk: "kerkakkers" },
  { postcode4: "5660", wijk: null },
  { postcode4: "5730", wijk: null },
];

/** News per tandem (at least two each), placed in one of its wijken. */
export const demoNews: Array<{ wijk: string; kind: "project" | "werkzaamheden" | "initiatief" | "bericht"; title: string; body: string }> = [
  {
    wijk: "centrum",
    kind: "project",
    title: "Nieuwe bankjes op het Marktplein",
    body: "Op het Marktplein komen zes nieuwe bankjes en meer groen. Bewoners kozen zelf de plek. Klaar in het voorjaar.",
  },
  {
    wijk: "coevering",
    kind: "werkzaamheden",
    title: "Werk aan de riolering in de Coevering",
    body: "Vanaf maandag werken we aan de riolering. Sommige straten zijn een paar dagen dicht. Omleidingen staan aangegeven.",
  },
  {
    wijk: "braakhuizen-noord",
    kind: "initiatief",
    title: "Buurtmoestuin zoekt handen",
    body: "Buren begonnen een moestuin bij het speelveld. Wil je meedoen? Elke zaterdag om 10 uur, iedereen is welkom.",
  },
  { wijk: "genoenhuis", kind: "project", title: "Speeltuin Genoenhuis wordt vernieuwd", body: "Kinderen uit de wijk tekenden mee aan de nieuwe speeltuin. De bouw begint na de zomer." },
  { wijk: "zesgehuchten", kind: "werkzaamheden", title: "Nieuwe straatverlichting", body: "We vervangen de lantaarnpalen door zuinige ledlampen. Het werk duurt ongeveer drie weken." },
  {
    wijk: "braakhuizen-zuid",
    kind: "initiatief",
    title: "Repair Café in het wijkhuis",
    body: "Elke eerste zaterdag van de maand repareren vrijwilligers kapotte spullen. Gratis, koffie staat klaar.",
  },
  { wijk: "mierlo-dorp", kind: "project", title: "Meer groen in het dorpshart", body: "Het dorpshart krijgt bomen en plantenbakken. Bewoners denken mee over de plek van de bankjes." },
  { wijk: "luchen", kind: "werkzaamheden", title: "Fietspad Luchen wordt verbreed", body: "Het fietspad langs de school wordt breder en veiliger. Tijdens het werk fiets je via een omleiding." },
  { wijk: "neerakkers", kind: "initiatief", title: "Wijkkoffie voor nieuwe bewoners", body: "Nieuw in Neerakkers? Kom kennismaken bij de wijkkoffie, elke woensdagochtend in het buurthuis." },
  { wijk: "buitengebied", kind: "project", title: "Wandelroute Gijzenrooi opgeknapt", body: "De wandelroute door Gijzenrooi heeft nieuwe bordjes en bankjes gekregen." },
  { wijk: "buitengebied", kind: "bericht", title: "Snoeien van houtwallen", body: "Deze winter snoeien we houtwallen langs de landwegen. Soms is een weg kort dicht." },
];

/**
 * One upcoming dialoogtafel per tandem, about `weeksAhead` weeks after seeding, 19:30 local time: on
 * the first Tuesday to Thursday from then that is away from public holidays and the Christmas weeks
 * (src/domain/dutchHolidays.ts).
 */
export const demoDialoogtafels: Array<{ wijk: string; title: string; topic: string; location: string; weeksAhead: number; capacity: number }> = [
  { wijk: "centrum", title: "Dialoogtafel Geldrop-Noord", topic: "Een prettig en veilig centrum", location: "Wijkhuis De Coevering, Geldrop", weeksAhead: 3, capacity: 25 },
  { wijk: "genoenhuis", title: "Dialoogtafel Geldrop-Zuid", topic: "Spelen en bewegen in de wijk", location: "Buurthuis Genoenhuis, Geldrop", weeksAhead: 4, capacity: 20 },
  { wijk: "mierlo-dorp", title: "Dialoogtafel Mierlo", topic: "Het nieuwe dorpshart", location: "Ontmoetingscentrum, Mierlo", weeksAhead: 3, capacity: 30 },
  { wijk: "buitengebied", title: "Dialoogtafel Buitengebied", topic: "Landwegen, verkeer en natuur", location: "Boerderij Gijzenrooi", weeksAhead: 5, capacity: 15 },
];

/**
 * Invented subscribers to wijkberichten, so that a new install can send one and watch it go: web
 * chat identities nobody reads (no conversation, no consent text), in the demo sign-in's tandem
 * Geldrop-Noord. `weekly`: of those, how many chose the weekly bundle.
 */
export const demoSubscribers: Array<{ wijk: string; count: number; weekly: number }> = [
  { wijk: "centrum", count: 12, weekly: 2 },
  { wijk: "coevering", count: 8, weekly: 1 },
  { wijk: "braakhuizen-noord", count: 5, weekly: 0 },
];

/**
 * Invented activity of the pilot's last months, so that a new install's evaluation (/inbox/evaluatie)
 * and public wijk pages show figures and a trend: per wijk about how many conversations a month
 * reached the gemeente at the end of the period (fewer in the first months, as a pilot grows). The
 * small wijken stay below 5 on purpose: their pages show "minder dan 5". Only a fresh demo install
 * gets them (src/db/seedDemoActivity.ts), like the subscribers.
 */
export const demoActivity: Array<{ wijk: string; perMonth: number; themes: string[] }> = [
  { wijk: "centrum", perMonth: 16, themes: ["afval", "verkeer", "overlast", "groen", "veiligheid", "onderhoud"] },
  { wijk: "coevering", perMonth: 10, themes: ["onderhoud", "verkeer", "groen", "afval"] },
  { wijk: "braakhuizen-noord", perMonth: 6, themes: ["groen", "jeugd", "afval", "onderhoud"] },
  { wijk: "genoenhuis", perMonth: 7, themes: ["jeugd", "groen", "verkeer", "afval"] },
  { wijk: "zesgehuchten", perMonth: 4, themes: ["onderhoud", "verkeer", "afval"] },
  { wijk: "braakhuizen-zuid", perMonth: 3, themes: ["zorg-welzijn", "groen", "overlast"] },
  { wijk: "mierlo-dorp", perMonth: 12, themes: ["verkeer", "groen", "afval", "wonen", "onderhoud"] },
  { wijk: "luchen", perMonth: 6, themes: ["verkeer", "jeugd", "onderhoud"] },
  { wijk: "neerakkers", perMonth: 2, themes: ["afval", "groen"] },
  { wijk: "kerkakkers", perMonth: 1, themes: ["onderhoud"] },
  { wijk: "buitengebied", perMonth: 1, themes: ["verkeer", "groen"] },
];

/** How many months back the demo activity starts (the pilot's start). */
export const demoActivityMonths = 7;

/** A resident's first words per theme, invented and without anyone's details. */
export const demoMeldingTexts: Record<string, string[]> = {
  afval: ["De container op de hoek is al dagen vol.", "Er staat een bank naast de glasbak.", "Zakken afval bij het speelveld."],
  verkeer: ["Er wordt hard gereden langs de school.", "Auto's parkeren op de stoep bij de bakker.", "Het zebrapad is bijna niet meer te zien."],
  overlast: ["Elke vrijdagnacht veel lawaai op het plein.", "Brommers rijden 's avonds door het park."],
  groen: ["De heg bij het fietspad groeit over het pad.", "Een boom heeft een grote dode tak.", "Mag het grasveld een bloemenweide worden?"],
  veiligheid: ["Het is erg donker in het steegje achter de winkels.", "Bij de tunnel voel ik me 's avonds niet veilig."],
  onderhoud: ["Er ligt een losse stoeptegel voor de apotheek.", "Een lantaarnpaal doet het al een week niet.", "Gat in de weg bij de rotonde."],
  jeugd: ["Kunnen er meer speeltoestellen komen voor oudere kinderen?", "De jongeren hebben geen plek om samen te zijn."],
  wonen: ["Ik zoek informatie over de nieuwe woningen bij het dorpshart."],
  "zorg-welzijn": ["Is er een plek in de wijk waar ouderen samen kunnen eten?"],
};

/** What staff answered first, in the "je" form. */
export const demoStaffReplies: string[] = [
  "Dank je voor je bericht. Ik heb het doorgegeven aan de buitendienst. Je hoort van ons.",
  "Goed dat je dit meldt. We gaan er deze week naar kijken.",
  "Bedankt! Ik neem het mee naar het overleg met de wijkagent en laat weten wat we doen.",
  "Dank je. Een collega komt kijken en we houden je op de hoogte.",
];

/** "Jullie zeiden, wij deden" items the demo tandems published, `daysAgo` days before seeding. */
export const demoWijDeden: Array<{ wijk: string; theme: string; said: string; did: string; daysAgo: number }> = [
  {
    wijk: "centrum",
    theme: "verkeer",
    said: "Jullie zeiden dat er hard wordt gereden in de straat langs de basisschool.",
    did: "We hebben twee verkeersdrempels gelegd en een bord 30 km geplaatst. In het voorjaar meten we opnieuw.",
    daysAgo: 12,
  },
  {
    wijk: "centrum",
    theme: "afval",
    said: "Jullie zeiden dat de containers bij het Marktplein in het weekend vol raken.",
    did: "De containers worden nu ook op zaterdag geleegd.",
    daysAgo: 40,
  },
  {
    wijk: "coevering",
    theme: "onderhoud",
    said: "Jullie zeiden dat de stoep bij het winkelcentrum op veel plekken scheef ligt.",
    did: "De stoep is opnieuw gelegd. Rolstoelen en rollators kunnen er weer goed langs.",
    daysAgo: 25,
  },
  {
    wijk: "genoenhuis",
    theme: "jeugd",
    said: "Jullie vroegen om een plek waar oudere kinderen kunnen sporten.",
    did: "Bij de speeltuin komt een pannaveld. Kinderen uit de wijk kiezen mee hoe het eruitziet.",
    daysAgo: 18,
  },
  {
    wijk: "mierlo-dorp",
    theme: "groen",
    said: "Jullie zeiden dat het dorpshart meer groen en schaduw mag hebben.",
    did: "We planten deze winter acht nieuwe bomen. De plek kozen we samen met bewoners.",
    daysAgo: 9,
  },
  {
    wijk: "luchen",
    theme: "verkeer",
    said: "Jullie zeiden dat het fietspad langs de school te smal is.",
    did: "Het fietspad wordt verbreed. Tijdens het werk is er een omleiding.",
    daysAgo: 33,
  },
];
