import { getCountry } from 'countries-and-timezones';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { IANAZone } from 'luxon';
import type { Pool, PoolClient } from 'pg';

// "Time is the subscriber's": calls are placed in the hours allowed where the subscriber is.
// Where that is, in order:
//   1. the contact's own IANA zone, when the list gave one;
//   2. for a Russian number (+7 3xx/4xx/8xx/9xx), the numbering plan registry: the range the
//      number is in, its region, the region's zone(s);
//   3. for another country's number, that country's zones (libphonenumber's country);
//   4. the campaign's zone.
// A region or country that spans several zones yields all of them: the caller then calls only
// in hours allowed in every one (a subscriber in any of them is called at a lawful hour).

export type ZoneSource = 'contact' | 'numbering_plan' | 'country' | 'campaign';

export interface SubscriberZones {
  zones: string[];
  source: ZoneSource;
  /** Why, for the attempt's record and the operator: never the number itself. */
  detail: string;
}

export interface ZoneQuery {
  explicitZone: string | null;
  e164: string;
  campaignZone: string;
}

type Db = Pool | PoolClient;

// +7 followed by 3, 4, 8 or 9: the Russian geographic (ABC) and mobile (DEF) codes. +7 6xx and
// +7 7xx are Kazakhstan's, resolved through the country like any foreign number.
const RU_REGISTRY_NUMBER = /^\+7([3489]\d{9})$/;

interface RangeRow {
  n: string;
  range_from: string | null;
  range_to: string | null;
  region: string | null;
  zones: string[] | null;
}

/** The subscriber's zones for one number: one indexed query at most. */
export async function resolveSubscriberZones(db: Db, q: ZoneQuery): Promise<SubscriberZones> {
  const contact = contactZone(q.explicitZone);
  if (contact.zones) return contact.zones;
  const national = ruNationalNumber(q.e164);
  let range: RangeRow | undefined;
  if (national !== null) {
    // The range that starts at or before the number, found by one probe of the primary key; the
    // number is in it when the range also ends at or after it (ranges do not overlap).
    const { rows } = await db.query<RangeRow>(
      `SELECT $1::bigint::text AS n, range_from::text, range_to::text, region, zones
         FROM numbering_range WHERE range_from <= $1::bigint ORDER BY range_from DESC LIMIT 1`,
      [national]);
    range = rows[0];
  }
  return fromNumber(q.e164, national, range, q.campaignZone, contact.note);
}

/**
 * The zones of each of a contact's numbers (in the order given), with one query for all the
 * Russian ones. The contact's own zone, when valid, applies to every number.
 */
export async function resolveZonesForNumbers(
  db: Db,
  e164s: readonly string[],
  q: { explicitZone: string | null; campaignZone: string },
): Promise<SubscriberZones[]> {
  const contact = contactZone(q.explicitZone);
  if (contact.zones) return e164s.map(() => ({ ...contact.zones!, zones: [...contact.zones!.zones] }));
  const nationals = e164s.map(ruNationalNumber);
  const wanted = [...new Set(nationals.filter((n): n is string => n !== null))];
  const byNumber = new Map<string, RangeRow>();
  if (wanted.length > 0) {
    const { rows } = await db.query<RangeRow>(
      `SELECT q.n::text AS n, r.range_from::text, r.range_to::text, r.region, r.zones
         FROM unnest($1::bigint[]) AS q(n)
         LEFT JOIN LATERAL (
           SELECT range_from, range_to, region, zones FROM numbering_range
            WHERE range_from <= q.n ORDER BY range_from DESC LIMIT 1
         ) r ON true`,
      [wanted]);
    for (const row of rows) byNumber.set(row.n, row);
  }
  return e164s.map((e164, i) => {
    const national = nationals[i]!;
    return fromNumber(e164, national, national === null ? undefined : byNumber.get(national), q.campaignZone, contact.note);
  });
}

/** Whether a text is an IANA zone name this runtime knows (canonical or alias). */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** The 10-digit national number of a number the Russian registry covers, as digits; else null. */
export function ruNationalNumber(e164: string): string | null {
  const m = RU_REGISTRY_NUMBER.exec(e164);
  return m ? m[1]! : null;
}

function contactZone(explicitZone: string | null): { zones?: SubscriberZones; note?: string } {
  const zone = explicitZone?.trim() ?? '';
  if (zone === '') return {};
  if (isValidZone(zone)) {
    // Zone names are matched without regard to case: "europe/moscow" is stored as "Europe/Moscow".
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return { zones: { zones: [name], source: 'contact', detail: `the contact's zone ${name}` } };
  }
  return { note: `the contact's zone "${zone.slice(0, 64)}" is not an IANA zone: ignored` };
}

function fromNumber(
  e164: string,
  national: string | null,
  range: RangeRow | undefined,
  campaignZone: string,
  note: string | undefined,
): SubscriberZones {
  const say = (text: string) => (note ? `${note}; ${text}` : text);
  const campaign = (why: string): SubscriberZones => ({ zones: [campaignZone], source: 'campaign', detail: say(`${why}: the campaign's zone ${campaignZone}`) });

  if (national !== null) {
    // A Russian number's zone comes from the registry or not at all: Russia's own 11 zones
    // together would leave almost no hour to call in, so the campaign's zone is the better guess.
    const inRange = range?.range_from != null && range.range_to != null && BigInt(range.range_to) >= BigInt(national);
    if (!inRange) return campaign('not in the numbering plan');
    const zones = (range!.zones ?? []).filter(isValidZone);
    if (zones.length === 0) return campaign(`numbering plan region "${range!.region}" has no known zone`);
    return { zones, source: 'numbering_plan', detail: say(`numbering plan region "${range!.region}"`) };
  }

  const country = parsePhoneNumberFromString(e164)?.country;
  if (country === undefined) return campaign('no country for the number');
  if (country === 'RU') return campaign('a Russian number outside the registry codes');
  const zones = countryZones(country);
  if (zones.length === 0) return campaign(`no zone known for country ${country}`);
  return { zones, source: 'country', detail: say(`country ${country}`) };
}

/** A country's IANA zones (countries-and-timezones' data), those this runtime knows. */
export function countryZones(country: string): string[] {
  return (getCountry(country)?.timezones ?? []).filter(isValidZone);
}
