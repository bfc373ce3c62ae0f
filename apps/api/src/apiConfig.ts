import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { databaseEnv, logEnv, readEnv, speechEnv, temporalEnv } from '../../../common/config';
import { recordingsAriEnv } from './recordings/recordingsConfig';

// The API's environment: the shared database, Temporal, log and speech pieces (uploaded clips
// and audio previews use the worker's speech cache), and its own.
export const apiEnv = databaseEnv.merge(temporalEnv).merge(logEnv).merge(speechEnv).merge(recordingsAriEnv).extend({
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  // How long a person's session lasts after logging in.
  API_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  // Requests per minute one key or session may make (a misbehaving ERP loop is cut off, not the API).
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  // Links to a contact's workflow history in the Temporal UI.
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  // Contact list uploads (POST /uploads): the largest file taken, and where files wait for their
  // import (several API processes behind one address need a directory they share).
  API_UPLOAD_MAX_MB: z.coerce.number().positive().default(100),
  API_UPLOAD_DIR: z.string().min(1).default(path.join(os.tmpdir(), 'dialer-uploads')),
  // Prometheus's GET /metrics, on a port of its own apart from the API's (no bearer token there,
  // no personal data either); loopback unless told; 0 disables.
  API_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  API_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
});

export type ApiConfig = z.infer<typeof apiEnv>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return readEnv(apiEnv, env);
}
