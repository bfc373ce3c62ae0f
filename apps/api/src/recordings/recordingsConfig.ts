import { z } from 'zod';

// Where the API reaches the recordings: Asterisk's ARI, the same as the worker's (it serves the
// stored files itself, so the API needs no shared disk). Optional: an API without it answers
// 503 to a request for a recording's audio, and serves everything else.
export const recordingsAriEnv = z.object({
  ASTERISK_ARI_URL: z.string().url().optional(),
  ARI_USERNAME: z.string().min(1).default('dialer'),
  ARI_PASSWORD: z.string().min(1).optional(),
});
