import { refusal } from './testing/refusal';
import { parseInput } from './parseInput';
import {
  newTemplateSchema, previewMessage, templateBodyProblem, templatePatchSchema, templatePreviewSchema, templateVariables,
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
    expect(parseInput(newTemplateSchema, { name: ' Reminder ', body: 'Hi {{NAME}}' })).toEqual({ name: 'Reminder', body: 'Hi {{NAME}}' });
  });

  it('refuse a malformed body naming the problem under the path given', () => {
    const err = refusal(() => parseInput(newTemplateSchema, { name: 'x', body: 'Долг {{X|foo}}' }, 'input'));
    expect(err.issues).toEqual([{ path: 'input.body', message: 'unknown filter "foo" at {{X|foo}} (known: money, date, number, digits)' }]);
    expect(err.message).toBe('input.body: unknown filter "foo" at {{X|foo}} (known: money, date, number, digits)');
  });

  it('refuse an empty name or body and unknown fields', () => {
    const err = refusal(() => parseInput(newTemplateSchema, { name: '  ', body: ' ', speech: true }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['', 'body', 'name']);
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
  });
});

describe('previewMessage', () => {
  it('renders the text and the media', () => {
    expect(previewMessage(5, 'Долг {{B|money}}.', { B: '-68' })).toEqual({
      text: 'Долг 68 рублей.',
      media: ['sound:dialer/t5-0', 'sound:digits/60', 'sound:digits/8', 'sound:dialer/money/rubley', 'sound:dialer/t5-2'],
    });
  });

  it('names a missing variable and an amount that is not one by their path', () => {
    expect(refusal(() => previewMessage(0, 'Hi {{NAME}}', {})).issues)
      .toEqual([{ path: 'variables.NAME', message: 'missing (the template uses {{NAME}})' }]);
    expect(refusal(() => previewMessage(0, '{{B|money}}', { B: 'lots' })).issues[0].path).toBe('variables.B');
  });
});
