import { z } from 'zod';

// How a template is spoken: the provider that synthesises it and the voice settings it passes.
// A template version keeps its settings (template_version.speech), so a campaign sounds the
// same from its first call to its last. Pure: no I/O.

export const SPEECH_PROVIDERS = ['offline', 'speechkit-v1', 'speechkit-v3'] as const;
export type SpeechProviderName = (typeof SPEECH_PROVIDERS)[number];

export const speechSettingsSchema = z.object({
  provider: z.enum(SPEECH_PROVIDERS).default('offline')
    .describe('offline: espeak-ng on the worker; speechkit-v1 / speechkit-v3: Yandex SpeechKit REST API v1 / v3.'),
  voice: z.string().trim().regex(/^[A-Za-z0-9_+-]{1,64}$/, 'letters, digits, _ + - only').optional()
    .describe('The provider\'s voice (SpeechKit: alena, filipp, ermil, jane, madirus, omazh, zahar, …; offline: an espeak-ng voice, ru by default).'),
  speed: z.number().min(0.1).max(3).default(1).describe('Speech rate, 1 is normal (SpeechKit 0.1–3).'),
  emotion: z.enum(['neutral', 'good', 'evil']).optional()
    .describe('SpeechKit\'s emotion (v1 `emotion`, v3 `role`), where the voice has it.'),
}).strict();

export type SpeechSettings = z.output<typeof speechSettingsSchema>;

export const DEFAULT_SPEECH: SpeechSettings = speechSettingsSchema.parse({});

/** Every template's language: the product speaks Russian (money, dates and numbers in Russian words). */
export const SPEECH_LANGUAGE = 'ru-RU';
