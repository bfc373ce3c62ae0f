import { DateTime } from 'luxon';

// The workflow bundle's preloaded module (apps/worker/workflowPreload.ts): evaluated once per
// worker thread, and with it luxon, which every contact's calling-hours wait uses. luxon's
// package declares no side effects, so webpack drops a bare preload of 'luxon' (the bundle's
// preload function came out as `0;`); a module of ours that uses it is kept, and luxon with it.
export const preloadedLibraries = [DateTime];
