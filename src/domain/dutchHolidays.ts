/**
 * Dutch public holidays, computed for any year (Easter by the anonymous Gregorian algorithm), and
 * the evenings a gemeente would not plan a meeting on. Used where a date is picked by itself, such
 * as the demo's dialoogtafels, so that a tafel never falls on Christmas or a long Easter weekend.
 */

/** A calendar date: [year, month 1–12, day 1–31]. */
export type CalendarDate = readonly [number, number, number];

function fromUtc(date: Date): CalendarDate {
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
}

function addDays([year, month, day]: CalendarDate, days: number): CalendarDate {
  return fromUtc(new Date(Date.UTC(year, month - 1, day + days)));
}

/** Easter Sunday of `year` (Gregorian). */
export function easterSunday(year: number): CalendarDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [year, month, day];
}

/** The Dutch public holidays of `year` as ISO dates (Goede Vrijdag included: many offices close). */
export function dutchPublicHolidays(year: number): string[] {
  const easter = easterSunday(year);
  // Koningsdag is 27 April, or the 26th when the 27th is a Sunday.
  const kingsDay: CalendarDate = new Date(Date.UTC(year, 3, 27)).getUTCDay() === 0 ? [year, 4, 26] : [year, 4, 27];
  const dates: CalendarDate[] = [
    [year, 1, 1],
    addDays(easter, -2),
    easter,
    addDays(easter, 1),
    kingsDay,
    [year, 5, 5],
    addDays(easter, 39),
    addDays(easter, 49),
    addDays(easter, 50),
    [year, 12, 25],
    [year, 12, 26],
  ];
  return dates.map(isoDate);
}

/** "2026-12-25". */
export function isoDate([year, month, day]: CalendarDate): string {
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * Whether an evening meeting fits this date: a Tuesday, Wednesday or Thursday, no public holiday
 * on the day or beside it (the long weekends of Easter, Ascension and Pentecost), and not in the
 * weeks around Christmas and New Year (20 December to 3 January).
 */
export function suitsAnEveningMeeting(date: CalendarDate): boolean {
  const [year, month, day] = date;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (weekday < 2 || weekday > 4) return false;
  if ((month === 12 && day >= 20) || (month === 1 && day <= 3)) return false;
  const around = [addDays(date, -1), date, addDays(date, 1)];
  return !around.some((near) => dutchPublicHolidays(near[0]).includes(isoDate(near)));
}

/** The first date from `date` on (itself included) that suits an evening meeting. */
export function nextMeetingDate(date: CalendarDate): CalendarDate {
  let candidate = date;
  for (let i = 0; i < 60 && !suitsAnEveningMeeting(candidate); i++) candidate = addDays(candidate, 1);
  return candidate;
}
