import pino from 'pino';

// Personal data (names, numbers, amounts) must never reach the logs (152-FZ): these paths are
// redacted wherever a caller passes them by mistake; code logs ids, never the values.
const redactedPaths = [
  'e164', 'number', 'phone', 'fullName', 'full_name', 'variables', 'text', 'messageText',
  '*.e164', '*.number', '*.phone', '*.fullName', '*.full_name', '*.variables', '*.text',
];

/** A logger writing JSON lines to `destination` (stdout when none is given). */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): pino.Logger {
  return pino({ name, level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination);
}
