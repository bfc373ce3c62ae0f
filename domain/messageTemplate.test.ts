import {
  amountInKopecks, parseTemplate, renderPieces, renderTemplate, staticPieces, templateClips, TemplateClipError, TemplateValueError,
  TemplateVariableError, templateVariables,
} from './messageTemplate';
import { refusal } from './testing/refusal';

describe('renderTemplate', () => {
  const body = 'Здравствуйте, {{NAME}}! Ваша задолженность {{ BALANCE | money }}. Договор {{CONTRACT}}.';

  it('renders the text and the media in order', () => {
    const m = renderTemplate(7, body, { NAME: 'Иван Иванович', BALANCE: '-12345.50', CONTRACT: '42' });
    expect(m.text).toBe('Здравствуйте, Иван Иванович! Ваша задолженность 12 345 рублей 50 копеек. Договор 42.');
    expect(m.media).toEqual([
      'sound:dialer/t7-0', 'sound:dialer/t7-2',
      'sound:digits/12', 'sound:digits/thousands', 'sound:digits/300', 'sound:digits/40', 'sound:digits/5', 'sound:dialer/money/rubley',
      'sound:digits/50', 'sound:dialer/money/kopeek',
      'sound:dialer/t7-4', 'number:42', 'sound:dialer/t7-6',
    ]);
  });

  it('says no kopecks when there are none', () => {
    expect(renderTemplate(1, '{{B|money}}', { B: '-68' }).media).toEqual(['sound:digits/60', 'sound:digits/8', 'sound:dialer/money/rubley']);
    expect(renderTemplate(1, '{{B|money}}', { B: '1000000,00' }).text).toBe('1 000 000 рублей');
  });

  it('says one and two in the gender of тысяча and копейка', () => {
    const m = renderTemplate(1, '{{B|money}}', { B: '21001.22' });
    expect(m.text).toBe('21 001 рубль 22 копейки');
    expect(m.media).toEqual([
      'sound:digits/20', 'sound:digits/1f', 'sound:digits/thousand', 'sound:digits/1', 'sound:dialer/money/rubl',
      'sound:digits/20', 'sound:digits/2f', 'sound:dialer/money/kopeyki',
    ]);
  });

  it('names a missing variable', () => {
    expect(() => renderTemplate(1, body, { NAME: 'x', BALANCE: '1' })).toThrow(TemplateVariableError);
    expect(() => renderTemplate(1, body, { NAME: 'x', BALANCE: '1' })).toThrow(/CONTRACT/);
  });

  it('parses text and placeholders', () => {
    expect(parseTemplate('a{{X}}b')).toEqual([
      { kind: 'text', text: 'a' }, { kind: 'variable', name: 'X', filter: null }, { kind: 'text', text: 'b' },
    ]);
  });
});

describe('amountInKopecks', () => {
  it.each([
    ['-68.27', 6827], ['525.19', 52519], ['12345,50', 1234550], ['1.5', 150], ['0', 0], ['-1000000.00', 100000000],
  ])('%s', (value, kopecks) => expect(amountInKopecks(value)).toBe(kopecks));

  it('refuses what is not an amount', () => {
    expect(() => amountInKopecks('abc')).toThrow(/abc/);
    expect(() => amountInKopecks('1.234')).toThrow();
  });
});

describe('renderPieces', () => {
  const body = 'Здравствуйте, {{NAME}}! {{audio:jingle}} Ваша задолженность {{ BALANCE | money }} на {{D|date}}. Договор {{C|digits}}, дней {{N|number}}.';
  const variables = { NAME: 'Иван Иванович', BALANCE: '-12345.50', D: '2026-12-05', C: '40-7', N: '21' };
  const clips = { jingle: 'abc123' };

  it('says the text between placeholders once per version and every variable in words', () => {
    const m = renderPieces(body, variables, clips);
    expect(m.text).toBe('Здравствуйте, Иван Иванович! [audio:jingle] Ваша задолженность 12 345 рублей 50 копеек на 05.12.2026. Договор 40-7, дней 21.');
    expect(m.pieces).toEqual([
      { kind: 'static', text: 'Здравствуйте,' },
      { kind: 'personal', text: 'Иван Иванович' },
      { kind: 'clip', name: 'jingle', audioKey: 'abc123' },
      { kind: 'static', text: 'Ваша задолженность' },
      { kind: 'personal', text: 'двенадцать тысяч триста сорок пять рублей пятьдесят копеек' },
      { kind: 'static', text: 'на' },
      { kind: 'personal', text: 'пятое декабря две тысячи двадцать шестого года' },
      { kind: 'static', text: '. Договор' },
      { kind: 'personal', text: 'четыре ноль семь' },
      { kind: 'static', text: ', дней' },
      { kind: 'personal', text: 'двадцать один' },
    ]);
  });

  it('gives the static pieces and clips alone, what warming synthesises', () => {
    expect(staticPieces(body, clips)).toEqual(renderPieces(body, variables, clips).pieces.filter((p) => p.kind !== 'personal'));
  });

  it('reads a negative amount as the debt it is and a positive one the same', () => {
    expect(renderPieces('{{B|money}}', { B: '-68.27' }, {}).pieces).toEqual([{ kind: 'personal', text: 'шестьдесят восемь рублей двадцать семь копеек' }]);
    expect(renderPieces('{{B|money}}', { B: '68,27' }, {}).text).toBe('68 рублей 27 копеек');
  });

  it('reads a Russian date, a negative number and digits with their separators left out', () => {
    expect(renderPieces('{{D|date}}', { D: '01.03.2000' }, {}).pieces[0]).toEqual({ kind: 'personal', text: 'первое марта двухтысячного года' });
    expect(renderPieces('{{D|date}}', { D: '23.02.1999' }, {}).text).toBe('23.02.1999');
    expect(renderPieces('{{N|number}}', { N: '-5' }, {}).pieces[0]).toEqual({ kind: 'personal', text: 'минус пять' });
    expect(renderPieces('{{N|number}}', { N: '1 000' }, {}).pieces[0]).toEqual({ kind: 'personal', text: 'одна тысяча' });
    expect(renderPieces('{{P|digits}}', { P: '+7 (912) 0' }, {}).pieces[0]).toEqual({ kind: 'personal', text: 'семь девять один два ноль' });
  });

  it('leaves out pieces that say nothing', () => {
    expect(renderPieces(' {{A}} . {{B}}', { A: 'а', B: ' ' }, {}).pieces).toEqual([{ kind: 'personal', text: 'а' }]);
  });

  it.each([
    ['money', 'lots'], ['money', '1.234'], ['date', '2026-02-30'], ['date', 'soon'], ['date', '31.04.2026'],
    ['number', '4.5'], ['number', 'x'], ['digits', 'A-12'], ['digits', '--'],
  ])('refuses a %s that is not one (%s), naming the variable but not the value', (filter, value) => {
    const err = refusal(() => renderPieces(`{{V|${filter}}}`, { V: value }, {}), TemplateValueError);
    expect(err).toMatchObject({ variable: 'V', filter });
    expect(err.message).toMatch(/contact's V is not/);
    expect(err.message).not.toContain(value);
  });

  it('names a missing variable and an unknown clip', () => {
    expect(refusal(() => renderPieces('{{A}} {{B}}', { A: '1' }, {}), TemplateVariableError).variable).toBe('B');
    expect(refusal(() => renderPieces('{{audio:x}}', {}, { y: 'k' }), TemplateClipError).clip).toBe('x');
    expect(refusal(() => staticPieces('{{audio:toString}}', {}), TemplateClipError).clip).toBe('toString');
    expect(refusal(() => renderPieces('{{constructor}}', {}, {}), TemplateVariableError).variable).toBe('constructor');
  });

  it('lists variables and clips once each', () => {
    expect(templateVariables('{{A}} {{B|date}} {{audio:c}} {{A|digits}}')).toEqual(['A', 'B']);
    expect(templateClips('{{audio:c}} {{A}} {{ audio : d.wav }} {{audio:c}}')).toEqual(['c', 'd.wav']);
  });
});

describe('renderTemplate with the newer filters', () => {
  it('keeps digits in the text and has Asterisk say numbers and digits', () => {
    const m = renderTemplate(2, '{{D|date}}, {{N|number}} {{C|digits}} {{audio:x}}', { D: '2026-12-05', N: '42', C: '1-2' });
    expect(m.text).toBe('05.12.2026, 42 1-2 [audio:x]');
    expect(m.media).toEqual(['sound:dialer/t2-1', 'number:42', 'digits:12']);
  });
});
