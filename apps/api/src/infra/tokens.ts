// Injection tokens of the parts every module shares.
export const API_CONFIG = Symbol('API_CONFIG');
export const PG_POOL = Symbol('PG_POOL');
export const TEMPORAL = Symbol('TEMPORAL');
export const AUDIO_STORE = Symbol('AUDIO_STORE');
