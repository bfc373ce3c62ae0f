// The subjects of the Russian Federation and their IANA time zones, to turn the "Регион" text of
// the numbering plan registry into the zones a subscriber may be in.
//
// Sources:
// - The list of subjects: Constitution of the Russian Federation, art. 65 (89 subjects, with the
//   Republic of Crimea and Sevastopol since 2014 and the Donetsk and Luhansk People's Republics,
//   Zaporozhye and Kherson oblasts since 2022).
// - Which zone covers which subject: the IANA tz database, file `europe`, the "<Zone> covers..."
//   comments (by Tim Parenti, Paul Eggert et al.), checked against tzdata as of 2026-07 and its
//   zone1970.tab comments ("MSK+08 - Sakha (E); N Kuril Is", "MSK+09 - Bering Sea", ...).
//   Where that file splits a subject between zones, the subject lists all of them:
//     Sakha (Yakutia): Asia/Yakutsk (most districts), Asia/Khandyga (Tomponsky, Ust-Maysky),
//       Asia/Vladivostok (Verkhoyansky, Ust-Yansky), Asia/Ust-Nera (Oymyakonsky),
//       Asia/Srednekolymsk (Abyysky, Allaikhovsky, Verkhnekolymsky, Momsky, Nizhnekolymsky,
//       Srednekolymsky);
//     Sakhalin Oblast: Asia/Sakhalin, and Asia/Srednekolymsk for the Severo-Kurilsky district.
// - The four subjects of 2022 are not in tzdata's comments: they keep Moscow time, the 2nd time
//   zone (MSK) of the Federal Law of 03.06.2011 No. 107-FZ "Об исчислении времени", art. 5.
//   Crimea and Sevastopol: tzdata "Europe/Simferopol covers Crimea" (Paul Eggert, 2016-12-06);
//   MSK as well, but the zone keeps the right history for dates before 2014.
// - Chukotka is Asia/Anadyr ("Asia/Anadyr covers... 87 RU-CHU Chukotka Autonomous Okrug"), not
//   Asia/Kamchatka: both are UTC+12 today, Anadyr is the zone tzdata gives the okrug.

export interface RuSubject {
  /** The official name (Constitution, art. 65). */
  name: string;
  /** IANA zones, the main one first. */
  zones: readonly string[];
  /** Other spellings seen in registry files and address registries. */
  aliases: readonly string[];
}

const MOSCOW = ['Europe/Moscow'] as const;

function subject(name: string, zones: readonly string[], ...aliases: string[]): RuSubject {
  return { name, zones, aliases };
}

export const RU_SUBJECTS: readonly RuSubject[] = [
  // Republics
  subject('Республика Адыгея (Адыгея)', MOSCOW, 'Адыгея'),
  subject('Республика Алтай', ['Asia/Barnaul'], 'Алтай Респ.', 'Горный Алтай'),
  subject('Республика Башкортостан', ['Asia/Yekaterinburg'], 'Башкирия'),
  subject('Республика Бурятия', ['Asia/Irkutsk'], 'Бурятия'),
  subject('Республика Дагестан', MOSCOW, 'Дагестан'),
  subject('Донецкая Народная Республика', MOSCOW, 'ДНР', 'Донецкая'),
  subject('Республика Ингушетия', MOSCOW, 'Ингушетия'),
  subject('Кабардино-Балкарская Республика', MOSCOW, 'Кабардино-Балкария'),
  subject('Республика Калмыкия', MOSCOW, 'Калмыкия'),
  subject('Карачаево-Черкесская Республика', MOSCOW, 'Карачаево-Черкесия'),
  subject('Республика Карелия', MOSCOW, 'Карелия'),
  subject('Республика Коми', MOSCOW, 'Коми'),
  subject('Республика Крым', ['Europe/Simferopol'], 'Крым'),
  subject('Луганская Народная Республика', MOSCOW, 'ЛНР', 'Луганская'),
  subject('Республика Марий Эл', MOSCOW, 'Марий Эл'),
  subject('Республика Мордовия', MOSCOW, 'Мордовия'),
  subject('Республика Саха (Якутия)',
    ['Asia/Yakutsk', 'Asia/Khandyga', 'Asia/Vladivostok', 'Asia/Ust-Nera', 'Asia/Srednekolymsk'],
    'Республика Саха /Якутия/', 'Якутия', 'Саха'),
  subject('Республика Северная Осетия — Алания', MOSCOW,
    'Республика Северная Осетия - Алания', 'Северная Осетия', 'Осетия-Алания'),
  subject('Республика Татарстан (Татарстан)', MOSCOW, 'Татарстан'),
  subject('Республика Тыва', ['Asia/Krasnoyarsk'], 'Тыва', 'Тува'),
  subject('Удмуртская Республика', ['Europe/Samara'], 'Удмуртия'),
  subject('Республика Хакасия', ['Asia/Krasnoyarsk'], 'Хакасия'),
  subject('Чеченская Республика', MOSCOW, 'Чечня', 'Чеченская Республика (Чечня)'),
  subject('Чувашская Республика — Чувашия', MOSCOW, 'Чувашская Республика - Чувашия', 'Чувашия', 'Чувашская Республика'),
  // Krais
  subject('Алтайский край', ['Asia/Barnaul']),
  subject('Забайкальский край', ['Asia/Chita']),
  subject('Камчатский край', ['Asia/Kamchatka']),
  subject('Краснодарский край', MOSCOW, 'Кубань'),
  subject('Красноярский край', ['Asia/Krasnoyarsk']),
  subject('Пермский край', ['Asia/Yekaterinburg']),
  subject('Приморский край', ['Asia/Vladivostok'], 'Приморье'),
  subject('Ставропольский край', MOSCOW),
  subject('Хабаровский край', ['Asia/Vladivostok']),
  // Oblasts
  subject('Амурская область', ['Asia/Yakutsk']),
  subject('Архангельская область', MOSCOW),
  subject('Астраханская область', ['Europe/Astrakhan']),
  subject('Белгородская область', MOSCOW),
  subject('Брянская область', MOSCOW),
  subject('Владимирская область', MOSCOW),
  subject('Волгоградская область', ['Europe/Volgograd']),
  subject('Вологодская область', MOSCOW),
  subject('Воронежская область', MOSCOW),
  subject('Запорожская область', MOSCOW),
  subject('Ивановская область', MOSCOW),
  subject('Иркутская область', ['Asia/Irkutsk']),
  subject('Калининградская область', ['Europe/Kaliningrad']),
  subject('Калужская область', MOSCOW),
  subject('Кемеровская область — Кузбасс', ['Asia/Novokuznetsk'],
    'Кемеровская область - Кузбасс', 'Кемеровская область', 'Кузбасс'),
  subject('Кировская область', ['Europe/Kirov']),
  subject('Костромская область', MOSCOW),
  subject('Курганская область', ['Asia/Yekaterinburg']),
  subject('Курская область', MOSCOW),
  subject('Ленинградская область', MOSCOW),
  subject('Липецкая область', MOSCOW),
  subject('Магаданская область', ['Asia/Magadan']),
  subject('Московская область', MOSCOW, 'Подмосковье'),
  subject('Мурманская область', MOSCOW),
  subject('Нижегородская область', MOSCOW),
  subject('Новгородская область', MOSCOW),
  subject('Новосибирская область', ['Asia/Novosibirsk']),
  subject('Омская область', ['Asia/Omsk']),
  subject('Оренбургская область', ['Asia/Yekaterinburg']),
  subject('Орловская область', MOSCOW),
  subject('Пензенская область', MOSCOW),
  subject('Псковская область', MOSCOW),
  subject('Ростовская область', MOSCOW),
  subject('Рязанская область', MOSCOW),
  subject('Самарская область', ['Europe/Samara']),
  subject('Саратовская область', ['Europe/Saratov']),
  subject('Сахалинская область', ['Asia/Sakhalin', 'Asia/Srednekolymsk']),
  subject('Свердловская область', ['Asia/Yekaterinburg']),
  subject('Смоленская область', MOSCOW),
  subject('Тамбовская область', MOSCOW),
  subject('Тверская область', MOSCOW),
  subject('Томская область', ['Asia/Tomsk']),
  subject('Тульская область', MOSCOW),
  subject('Тюменская область', ['Asia/Yekaterinburg']),
  subject('Ульяновская область', ['Europe/Ulyanovsk']),
  subject('Херсонская область', MOSCOW),
  subject('Челябинская область', ['Asia/Yekaterinburg']),
  subject('Ярославская область', MOSCOW),
  // Cities of federal significance
  subject('Москва', MOSCOW, 'г. Москва', 'Город Москва'),
  subject('Санкт-Петербург', MOSCOW, 'г. Санкт-Петербург', 'Город Санкт-Петербург', 'Петербург'),
  subject('Севастополь', ['Europe/Simferopol'], 'г. Севастополь', 'Город Севастополь'),
  // Autonomous oblast and okrugs
  subject('Еврейская автономная область', ['Asia/Vladivostok'], 'ЕАО', 'Еврейская АО'),
  subject('Ненецкий автономный округ', MOSCOW, 'НАО', 'Ненецкий АО'),
  subject('Ханты-Мансийский автономный округ — Югра', ['Asia/Yekaterinburg'],
    'Ханты-Мансийский автономный округ - Югра', 'Ханты - Мансийский - Югра АО', 'Ханты-Мансийский АО',
    'ХМАО', 'ХМАО - Югра', 'Югра'),
  subject('Чукотский автономный округ', ['Asia/Anadyr'], 'Чукотский АО', 'Чукотка'),
  subject('Ямало-Ненецкий автономный округ', ['Asia/Yekaterinburg'], 'Ямало-Ненецкий АО', 'ЯНАО'),
];

// Words that say what kind of subject or settlement a name is, in full and abbreviated, and the
// words of "город федерального значения": dropped, so that "Ульяновская обл.", "Ульяновская
// область" and "область Ульяновская" give one key. ("г", "о", "р", "н" of "г.о." and "м.р-н" are
// single letters, dropped anyway.)
const KIND_WORDS = new Set([
  'республика', 'респ', 'народная', 'область', 'обл', 'край', 'автономный', 'автономная', 'авт',
  'округ', 'ао', 'аобл', 'город', 'гор', 'федерального', 'значения', 'гфз',
]);

/**
 * The key a region text is matched by: lowercase, ё as е, punctuation (dashes, brackets, slashes,
 * quotes, dots) as spaces, kind words and one-letter abbreviations dropped, the remaining words
 * deduplicated and sorted (so "Саха /Якутия/ Респ." and "Республика Саха (Якутия)" agree).
 */
export function regionKey(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^a-zа-я0-9]+/)
    .filter((w) => w.length > 1 && !KIND_WORDS.has(w));
  return [...new Set(words)].sort().join(' ');
}

const byKey = new Map<string, RuSubject>();
for (const s of RU_SUBJECTS) {
  for (const text of [s.name, ...s.aliases]) {
    const key = regionKey(text);
    const other = byKey.get(key);
    if (other && other !== s) throw new Error(`region key "${key}" of ${s.name} is also ${other.name}`);
    byKey.set(key, s);
  }
}

/** The subject a region text names, by its key alone (no splitting of composite texts). */
export function subjectForRegion(text: string): RuSubject | null {
  return byKey.get(regionKey(text)) ?? null;
}

function resolvePart(text: string): readonly string[] | null {
  const direct = byKey.get(regionKey(text));
  if (direct) return direct.zones;
  // A remark in brackets: "Тюменская область (кроме ХМАО и ЯНАО)". (Names with a bracketed part,
  // "Республика Саха (Якутия)", are matched directly above.)
  const withoutRemark = text.replace(/\([^)]*\)/g, ' ');
  if (withoutRemark !== text) {
    const zones = resolvePart(withoutRemark);
    if (zones) return zones;
  }
  // Several subjects in one text: "г. Москва и Московская область", "Москва, Московская обл.".
  // Every part must be a subject, or the text is not understood.
  const parts = text.split(/\s+и\s+|[,;]/i).map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length < 2) return null;
  const zones: string[] = [];
  for (const part of parts) {
    const s = byKey.get(regionKey(part));
    if (!s) return null;
    for (const z of s.zones) if (!zones.includes(z)) zones.push(z);
  }
  return zones;
}

// The registry has a few thousand distinct region texts; a cache spares re-normalising each of a
// million rows. Bounded, so a file of garbage cannot grow it without limit.
const cache = new Map<string, readonly string[] | null>();
const CACHE_LIMIT = 50_000;

/**
 * The IANA zones of the subject of the Russian Federation that a numbering plan registry
 * "Регион" (or "Территория ГАР") text names, the main zone first; null when the text names no
 * subject (or names "Российская Федерация": a nationwide range has no zone).
 *
 * Newer registry files give `settlement|subject` or `settlement|district|subject`
 * ("г. Улан-Удэ|Республика Бурятия"): the subject is the last part; earlier parts are tried only
 * when the last one is not understood.
 */
export function zonesForRegion(regionText: string): string[] | null {
  const text = regionText.trim();
  if (text === '') return null;
  let zones = cache.get(text);
  if (zones === undefined) {
    const segments = text.split('|').map((s) => s.trim()).filter((s) => s !== '');
    zones = null;
    for (let i = segments.length - 1; i >= 0 && zones === null; i--) zones = resolvePart(segments[i]!);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, zones);
  }
  return zones === null ? null : [...zones];
}
