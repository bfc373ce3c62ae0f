import { IANAZone } from 'luxon';
import { RU_SUBJECTS, regionKey, subjectForRegion, zonesForRegion } from './ruRegionZones';

const SAKHA = ['Asia/Yakutsk', 'Asia/Khandyga', 'Asia/Vladivostok', 'Asia/Ust-Nera', 'Asia/Srednekolymsk'];

describe('the table of subjects', () => {
  it('has the 89 subjects of the Russian Federation, each once', () => {
    expect(RU_SUBJECTS).toHaveLength(89);
    expect(new Set(RU_SUBJECTS.map((s) => s.name)).size).toBe(89);
  });

  it('gives every subject zones that this runtime knows, and every zone is a Russian one', () => {
    const russian = new Set([
      'Europe/Kaliningrad', 'Europe/Moscow', 'Europe/Simferopol', 'Europe/Kirov', 'Europe/Volgograd',
      'Europe/Astrakhan', 'Europe/Saratov', 'Europe/Ulyanovsk', 'Europe/Samara', 'Asia/Yekaterinburg',
      'Asia/Omsk', 'Asia/Novosibirsk', 'Asia/Barnaul', 'Asia/Tomsk', 'Asia/Novokuznetsk',
      'Asia/Krasnoyarsk', 'Asia/Irkutsk', 'Asia/Chita', 'Asia/Yakutsk', 'Asia/Khandyga',
      'Asia/Vladivostok', 'Asia/Ust-Nera', 'Asia/Magadan', 'Asia/Sakhalin', 'Asia/Srednekolymsk',
      'Asia/Kamchatka', 'Asia/Anadyr',
    ]);
    for (const s of RU_SUBJECTS) {
      expect(s.zones.length).toBeGreaterThan(0);
      for (const z of s.zones) {
        expect(IANAZone.isValidZone(z)).toBe(true);
        expect(russian.has(z)).toBe(true);
      }
    }
    // Every Russian zone of tzdata's zone1970.tab is some subject's.
    expect(new Set(RU_SUBJECTS.flatMap((s) => s.zones))).toEqual(russian);
  });

  it('resolves every subject by its official name and by each alias', () => {
    for (const s of RU_SUBJECTS) {
      for (const text of [s.name, ...s.aliases]) {
        expect({ text, zones: zonesForRegion(text) }).toEqual({ text, zones: [...s.zones] });
        expect(subjectForRegion(text)).toBe(s);
      }
    }
  });

  it('lists all the zones of the subjects that span several', () => {
    expect(zonesForRegion('Республика Саха (Якутия)')).toEqual(SAKHA);
    expect(zonesForRegion('Сахалинская область')).toEqual(['Asia/Sakhalin', 'Asia/Srednekolymsk']);
  });
});

describe('registry texts', () => {
  it.each<[string, string[]]>([
    ['г. Москва и Московская область', ['Europe/Moscow']],
    ['Москва и Московская обл.', ['Europe/Moscow']],
    ['г. Санкт-Петербург и Ленинградская область', ['Europe/Moscow']],
    ['г.Санкт-Петербург', ['Europe/Moscow']],
    ['Республика Саха /Якутия/', SAKHA],
    ['Саха /Якутия/ Респ.', SAKHA],
    ['РЕСПУБЛИКА САХА (ЯКУТИЯ)', SAKHA],
    ['Ханты - Мансийский - Югра АО', ['Asia/Yekaterinburg']],
    ['Ханты-Мансийский Автономный округ - Югра АО', ['Asia/Yekaterinburg']],
    ['Кемеровская область - Кузбасс', ['Asia/Novokuznetsk']],
    ['Кемеровская обл.', ['Asia/Novokuznetsk']],
    ['Чувашская Республика - Чувашия', ['Europe/Moscow']],
    ['Республика Северная Осетия - Алания', ['Europe/Moscow']],
    ['Северная Осетия-Алания Респ.', ['Europe/Moscow']],
    ['Свердловская обл.', ['Asia/Yekaterinburg']],
    ['  свердловская  ОБЛАСТЬ ', ['Asia/Yekaterinburg']],
    ['Удмуртская Респ.', ['Europe/Samara']],
    ['Ямало-Ненецкий АО', ['Asia/Yekaterinburg']],
    ['Ненецкий АО', ['Europe/Moscow']],
    ['Еврейская автономная обл.', ['Asia/Vladivostok']],
    ['Чукотский АО', ['Asia/Anadyr']],
    ['Республика Татарстан (Татарстан)', ['Europe/Moscow']],
    ['Орловская обл.', ['Europe/Moscow']],
    ['Орёл|Орловская область', ['Europe/Moscow']],
    ['Тыва Респ.', ['Asia/Krasnoyarsk']],
    ['Республика Алтай', ['Asia/Barnaul']],
    ['Алтайский край', ['Asia/Barnaul']],
    ['Донецкая Народная Республика', ['Europe/Moscow']],
    ['Луганская Народная Республика', ['Europe/Moscow']],
    ['Запорожская обл.', ['Europe/Moscow']],
    ['Херсонская обл.', ['Europe/Moscow']],
    ['Республика Крым', ['Europe/Simferopol']],
    ['г. Севастополь', ['Europe/Simferopol']],
    ['Город федерального значения Севастополь', ['Europe/Simferopol']],
    // Newer files: settlement|subject in "Регион", settlement|district|subject in "Территория ГАР".
    ['г. Улан - Удэ|Республика Бурятия', ['Asia/Irkutsk']],
    ['г. Улан-Удэ|г.о. город Улан-Удэ|Республика Бурятия', ['Asia/Irkutsk']],
    ['м.р-н Усть-Майский|Республика Саха (Якутия)', SAKHA],
    ['Город Москва', ['Europe/Moscow']],
    ['г. Гатчина|м.р-н Гатчинский|Ленинградская область', ['Europe/Moscow']],
    ['г. Самара|Самарская обл.', ['Europe/Samara']],
    ['Тюменская область (кроме Ханты-Мансийского АО и Ямало-Ненецкого АО)', ['Asia/Yekaterinburg']],
    ['Красноярский край, Республика Хакасия', ['Asia/Krasnoyarsk']],
    ['Приморский край и Хабаровский край', ['Asia/Vladivostok']],
    ['Хабаровский край и Республика Саха (Якутия)', ['Asia/Vladivostok', 'Asia/Yakutsk', 'Asia/Khandyga', 'Asia/Ust-Nera', 'Asia/Srednekolymsk']],
  ])('%s', (text, zones) => {
    expect(zonesForRegion(text)).toEqual(zones);
  });

  it.each([
    'Российская Федерация', // nationwide (8-800): no one zone
    'Атлантида',
    'г. Москва и Атлантида', // one part unknown: the whole is not understood
    '',
    '   ',
    '-',
    'г. Байконур',
  ])('does not resolve %p', (text) => {
    expect(zonesForRegion(text)).toBeNull();
  });

  it('returns a copy: a caller cannot change the table', () => {
    const zones = zonesForRegion('Москва')!;
    zones.push('Asia/Tokyo');
    expect(zonesForRegion('Москва')).toEqual(['Europe/Moscow']);
  });

  it('keys ignore case, ё, punctuation, kind words and word order', () => {
    expect(regionKey('Респ. Саха /Якутия/')).toBe(regionKey('Республика Саха (Якутия)'));
    expect(regionKey('Орёл')).toBe('орел');
    expect(regionKey('область Ульяновская')).toBe(regionKey('Ульяновская обл.'));
  });
});
