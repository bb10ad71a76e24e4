/** Time-zone arithmetic without a library: Europe/Amsterdam wall-clock times to instants. */

/**
 * Formatters kept per time zone: building an Intl.DateTimeFormat costs far more than using one
 * (it was most of a digest's build time), and a zone's formatter never changes.
 */
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, zone: string, build: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let formatter = cache.get(zone);
  if (!formatter) {
    formatter = build();
    cache.set(zone, formatter);
  }
  return formatter;
}

/**
 * Offsets already computed, per zone and UTC minute: a digest over a year asks for the same
 * mornings and evenings (office hours) thousands of times, and formatToParts is slow. Offsets
 * change only at whole minutes (DST transitions), so a minute's answer holds for all of it.
 */
const offsetsByMinute = new Map<string, number>();
const OFFSET_CACHE_LIMIT = 100_000;

/** The offset of `zone` from UTC at `instant`, in minutes (e.g. 60 in winter for Amsterdam). */
export function zoneOffsetMinutes(instant: Date, zone: string): number {
  const key = `${zone} ${Math.floor(instant.getTime() / 60_000)}`;
  const known = offsetsByMinute.get(key);
  if (known !== undefined) return known;
  const offset = computeZoneOffsetMinutes(instant, zone);
  if (offsetsByMinute.size >= OFFSET_CACHE_LIMIT) offsetsByMinute.clear();
  offsetsByMinute.set(key, offset);
  return offset;
}

function computeZoneOffsetMinutes(instant: Date, zone: string): number {
  const formatter = cached(
    offsetFormatters,
    zone,
    () =>
      new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
  );
  const parts = formatter.formatToParts(instant);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant at which the wall clock in `zone` shows the given local date and time. */
export function zonedTimeToDate(zone: string, year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - zoneOffsetMinutes(new Date(guess), zone) * 60_000;
  // A second pass settles instants near a DST change.
  return new Date(guess - zoneOffsetMinutes(new Date(first), zone) * 60_000);
}

/** The local calendar date in `zone` as [year, month, day]. */
export function localDate(instant: Date, zone: string): [number, number, number] {
  const formatter = cached(dateFormatters, zone, () => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }));
  const parts = formatter.format(instant).split("-");
  return [Number(parts[0]), Number(parts[1]), Number(parts[2])];
}
