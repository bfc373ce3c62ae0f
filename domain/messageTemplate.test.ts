import { amountInKopecks, parseTemplate, renderTemplate, TemplateVariableError } from './messageTemplate';

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
