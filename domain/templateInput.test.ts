import { refusal } from './testing/refusal';
import { parseInput } from './parseInput';
import {
  newTemplateSchema, previewPieces, templateBodyProblem, templatePatchSchema, templatePreviewSchema, templateVariables,
} from './templateInput';

describe('a template body', () => {
  it('is well formed when the renderer takes every placeholder', () => {
    expect(templateBodyProblem('Здравствуйте, {{NAME}}! Долг {{ BALANCE | money }}. Договор {{CONTRACT}}.')).toBeNull();
    expect(templateBodyProblem('Без переменных.')).toBeNull();
    expect(templateBodyProblem('{ single braces } stay text')).toBeNull();
  });

  it('names an unknown filter', () => {
    expect(templateBodyProblem('Долг {{X|foo}}.')).toBe('unknown filter "foo" at {{X|foo}} (known: money, date, number, digits)');
  });

  it('names a bad variable name, an empty placeholder and two filters', () => {
    expect(templateBodyProblem('a {{1X}} b')).toMatch(/^"1X" is not a variable name .* at \{\{1X\}\}$/);
    expect(templateBodyProblem('a {{ }} b')).toBe('a placeholder without a variable name at {{ }}');
    expect(templateBodyProblem('{{X|money|money}}')).toBe('more than one filter at {{X|money|money}}');
    expect(templateBodyProblem('{{ИМЯ}}')).toMatch(/"ИМЯ" is not a variable name/);
  });

  it('names an unclosed placeholder and a stray closing one', () => {
    expect(templateBodyProblem('Долг {{BALANCE|money.')).toBe('"{{" is not closed at "{{BALANCE|money."');
    expect(templateBodyProblem('{{A {{B}}')).toMatch(/^"\{\{" is not closed at "\{\{A /);
    expect(templateBodyProblem('{{A}} and B}}')).toBe('"}}" without its "{{" at " and B}}"');
  });

  it('lists the variables it uses once each', () => {
    expect(templateVariables('{{A}} {{B|money}} {{A}}')).toEqual(['A', 'B']);
  });
});

describe('the template schemas', () => {
  it('accept a name and a body, trimming the name', () => {
    expect(parseInput(newTemplateSchema, { name: ' Reminder ', body: 'Hi {{NAME}}' }))
      .toEqual({ name: 'Reminder', body: 'Hi {{NAME}}', speech: { provider: 'offline', speed: 1 } });
    expect(parseInput(newTemplateSchema, { name: 'R', body: 'x', speech: { provider: 'speechkit-v3', voice: 'alena', speed: 1.2 } }).speech)
      .toEqual({ provider: 'speechkit-v3', voice: 'alena', speed: 1.2 });
  });

  it('refuse a malformed body naming the problem under the path given', () => {
    const err = refusal(() => parseInput(newTemplateSchema, { name: 'x', body: 'Долг {{X|foo}}' }, 'input'));
    expect(err.issues).toEqual([{ path: 'input.body', message: 'unknown filter "foo" at {{X|foo}} (known: money, date, number, digits)' }]);
    expect(err.message).toBe('input.body: unknown filter "foo" at {{X|foo}} (known: money, date, number, digits)');
  });

  it('refuse an empty name or body and unknown fields', () => {
    const err = refusal(() => parseInput(newTemplateSchema, { name: '  ', body: ' ', colour: true }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['', 'body', 'name']);
  });

  it('refuse speech settings naming the field', () => {
    const err = refusal(() => parseInput(newTemplateSchema, { name: 'x', body: 'y', speech: { provider: 'google', speed: 9 } }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['speech.provider', 'speech.speed']);
    expect(refusal(() => parseInput(templatePatchSchema, { speech: { voice: 'a b' } }, 'patch')).issues)
      .toEqual([{ path: 'patch.speech.voice', message: 'letters, digits, _ + - only' }]);
  });

  it('take a patch of either field', () => {
    expect(parseInput(templatePatchSchema, { body: '{{A}}' })).toEqual({ body: '{{A}}' });
    expect(refusal(() => parseInput(templatePatchSchema, { body: '{{A' }, 'patch')).issues[0].path).toBe('patch.body');
  });

  it('preview one of a stored template or a body, with numbers read as text', () => {
    expect(parseInput(templatePreviewSchema, { templateId: 3, variables: { BALANCE: -68.27 } }))
      .toEqual({ templateId: 3, variables: { BALANCE: '-68.27' } });
    expect(refusal(() => parseInput(templatePreviewSchema, { templateId: 3, body: 'x' })).issues)
      .toEqual([{ path: 'templateId', message: 'give either templateId or body' }]);
    expect(refusal(() => parseInput(templatePreviewSchema, {})).issues[0].path).toBe('templateId');
    expect(parseInput(templatePreviewSchema, { templateId: 3, version: 2, contactId: 9 })).toEqual({ templateId: 3, version: 2, contactId: 9, variables: {} });
    expect(refusal(() => parseInput(templatePreviewSchema, { body: 'x', version: 2 })).issues).toEqual([
      { path: 'version', message: 'a version is of a stored template: give templateId too' },
    ]);
    expect(refusal(() => parseInput(templatePreviewSchema, { templateId: 1, speech: {} })).issues[0].path).toBe('speech');
  });
});

describe('previewPieces', () => {
  it('renders the text and the pieces', () => {
    expect(previewPieces('Долг {{B|money}}. {{audio:bye}}', { B: '-68' }, { bye: 'k1' })).toEqual({
      text: 'Долг 68 рублей. [audio:bye]',
      pieces: [
        { kind: 'static', text: 'Долг' }, { kind: 'personal', text: 'шестьдесят восемь рублей' },
        { kind: 'clip', name: 'bye', audioKey: 'k1' },
      ],
    });
  });

  it('names a missing variable, a value its filter cannot say and an unknown clip by their path', () => {
    expect(refusal(() => previewPieces('Hi {{NAME}}', {}, {})).issues)
      .toEqual([{ path: 'variables.NAME', message: 'missing (the template uses {{NAME}})' }]);
    expect(refusal(() => previewPieces('{{B|money}}', { B: 'lots' }, {})).issues).toEqual([{
      path: 'variables.B', message: 'not an amount (digits, an optional sign and up to two decimals: -68.27); the template says {{B|money}}',
    }]);
    expect(refusal(() => previewPieces('{{D|date}}', { D: '30.02.2026' }, {})).issues[0].path).toBe('variables.D');
    expect(refusal(() => previewPieces('{{audio:x}}', {}, {}, 'templateId')).issues)
      .toEqual([{ path: 'templateId', message: 'no audio clip named x (upload it first)' }]);
  });
});

describe('the body grammar', () => {
  it('knows the filters and clips', () => {
    expect(templateBodyProblem('{{A|date}} {{B|number}} {{C|digits}} {{audio:hello.wav}} {{ audio : x-1 }}')).toBeNull();
    expect(templateBodyProblem('{{audio:a b}}')).toBe('"a b" is not a clip name (letters, digits, _ . and -, at most 100) at {{audio:a b}}');
    expect(templateBodyProblem('{{audio:}}')).toBe('a clip without a name at {{audio:}}');
  });
});
