import { join } from 'node:path';
import { readEnv, speechEnv, type SpeechConfig } from '../../common/config';
import type { SpeechProviderName } from '../../domain/speechSettings';
import { createAudioStore, type FileAudioStore } from './audioStore';
import { createOfflineVoice } from './offlineVoice';
import { speechKitCredentials, speechKitMissing } from './speechKitHttp';
import { createSpeechKitV1 } from './speechKitV1';
import { createSpeechKitV3 } from './speechKitV3';
import { SpeechRejectedError, type SpeechProvider } from './speechPort';
import { dialerCacheDir } from './speechTools';

// The providers a template may name, built from the environment (common/config.ts speechEnv).
// Every name gets a provider: one that cannot work here (SpeechKit without a key) refuses each
// request, naming what is missing, so a campaign on it fails its prepare step at once instead of
// retrying for nothing.

export type SpeechProviders = Record<SpeechProviderName, SpeechProvider>;

export function createSpeechProviders(config: SpeechConfig, env: NodeJS.ProcessEnv = process.env): SpeechProviders {
  const missing = speechKitMissing(config);
  const speechKit = (name: 'speechkit-v1' | 'speechkit-v3', url: string | undefined): SpeechProvider => {
    if (missing) return refusing(name, missing);
    const client = { url: url ?? config.SPEECHKIT_URL, timeoutMs: config.SPEECHKIT_TIMEOUT_MS, credentials: speechKitCredentials(config) };
    return name === 'speechkit-v1' ? createSpeechKitV1(client) : createSpeechKitV3(client);
  };
  // The offline voice finds its programs by these variables (or the project's wrappers).
  const toolEnv = { ...env, ESPEAK_NG_BIN: config.ESPEAK_NG_BIN ?? env.ESPEAK_NG_BIN, SOX_BIN: config.SOX_BIN ?? env.SOX_BIN };
  return {
    offline: createOfflineVoice(toolEnv),
    'speechkit-v1': speechKit('speechkit-v1', config.SPEECHKIT_V1_URL),
    'speechkit-v3': speechKit('speechkit-v3', config.SPEECHKIT_V3_URL),
  };
}

function refusing(name: SpeechProviderName, missing: string): SpeechProvider {
  return {
    name,
    synthesize: () => Promise.reject(new SpeechRejectedError(`${name} is not configured: ${missing}`)),
  };
}

/** Where the cache lives, what calls play it as, and its limits, with the defaults filled in. */
export interface SpeechCacheSettings {
  dir: string;
  mediaPrefix: string;
  maxBytes: number;
  minAgeMs: number;
}

export function speechCacheSettings(config: SpeechConfig, env: NodeJS.ProcessEnv = process.env): SpeechCacheSettings {
  const dir = config.SPEECH_CACHE_DIR ?? join(dialerCacheDir({ ...env, DIALER_CACHE: config.DIALER_CACHE ?? env.DIALER_CACHE }), 'speech-cache');
  return {
    dir,
    // Asterisk takes an absolute path as well as one under its sounds folder.
    mediaPrefix: (config.SPEECH_MEDIA_PREFIX ?? dir).replace(/\/+$/, ''),
    maxBytes: config.SPEECH_CACHE_MAX_BYTES,
    minAgeMs: config.SPEECH_CACHE_MIN_AGE_MS,
  };
}

/** speechEnv read from an environment (the worker merges it into its own Config). */
export function readSpeechConfig(env: NodeJS.ProcessEnv = process.env): SpeechConfig {
  return readEnv(speechEnv, env);
}

/** The worker's speech cache with every provider, from its configuration: one call to wire it. */
export function createSpeechAudioStore(config: SpeechConfig, env: NodeJS.ProcessEnv = process.env): FileAudioStore {
  return createAudioStore({ ...speechCacheSettings(config, env), providers: createSpeechProviders(config, env) });
}
