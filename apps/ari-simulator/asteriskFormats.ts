// Asterisk's own texts, codes and formats, so the simulator's answers and events read exactly
// as a real Asterisk 22's do (clients parse them, tests compare them).

export const ASTERISK_ID = '02:00:00:00:00:01';

/** ChannelHangupRequest.cause on an ARI DELETE: ast_softhangup() publishes its flag
 * AST_SOFTHANGUP_EXPLICIT (1 << 5) there, with soft=true, not a Q.850 cause. */
export const SOFTHANGUP_EXPLICIT = 32;

/** ast_cause2str() texts (main/channel.c causes[]) for the causes the simulator produces. */
const CAUSE_TEXT: Record<number, string> = {
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  28: 'Invalid number format',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  58: 'Bearer capability not available',
  127: 'Interworking, unspecified',
};

export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? 'Unknown';
}

/** resource_channels.c convert_reason_to_hangup_code(). */
export const REASON_CAUSE: Readonly<Record<string, number>> = {
  normal: 16, busy: 17, congestion: 34, no_answer: 19, timeout: 18, rejected: 21,
  unallocated: 1, normal_unspecified: 31, number_incomplete: 28, codec_mismatch: 58,
  interworking: 127, failure: 38, answered_elsewhere: 26,
};

/** The number in an endpoint: after the first '/', before any '@', without a leading '+'. */
export function numberFromEndpoint(endpoint: string): string {
  const afterTech = endpoint.slice(endpoint.indexOf('/') + 1);
  const at = afterTech.indexOf('@');
  return (at >= 0 ? afterTech.slice(0, at) : afterTech).replace(/^\+/, '');
}

// Every event carries a timestamp and most land in the same millisecond: format each once.
let lastTimeMs = -1;
let lastTimeText = '';
/** Asterisk's timestamp format (ast_json_timeval): milliseconds and a +0000 offset. */
export function ariTime(ms = Date.now()): string {
  if (ms !== lastTimeMs) {
    lastTimeMs = ms;
    lastTimeText = `${new Date(ms).toISOString().slice(0, 23)}+0000`;
  }
  return lastTimeText;
}

/** ast_callerid_parse(), roughly: `"Name" <number>`, or a bare number, or a bare name. */
export function parseCallerId(s: string | undefined): { name: string; number: string } {
  if (!s) return { name: '', number: '' };
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(s);
  if (m) return { name: m[1] ?? '', number: m[2] ?? '' };
  return /^[+\d*#]+$/.test(s.trim()) ? { name: '', number: s.trim() } : { name: s.trim(), number: '' };
}
