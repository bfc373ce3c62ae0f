import { DateTime } from 'luxon';
import { z } from 'zod';

// The workflow bundle's preloaded module (apps/worker/workflowPreload.ts): evaluated once per
// worker thread, and with it luxon, which every contact's calling-hours wait uses. luxon's
// package declares no side effects, so webpack drops a bare preload of 'luxon' (the bundle's
// preload function came out as `0;`); a module of ours that uses it is kept, and luxon with it.
// zod too: the strategies parse their params with it in every contact's decide step, and its
// modules and the schemas built at load were about 6 % of the workflow thread (1.4–1.6 ms of CPU
// per contact; with this and the lazy schemas, 0.2–0.3 ms, BENCHMARKS.md). The library holds no
// per-workflow state (the one module-level setting, setErrorMap, the dialer never calls), and
// freezing its exports freezes its classes but not their prototypes, so schemas built in a
// workflow work as before; the schemas themselves stay per workflow (domain/strategies build
// them on first use), since zod writes a cache into a schema on its first parse.
export const preloadedLibraries = [DateTime, z];

// No stack traces in the workflow V8 context. Temporal's promise hook takes a stack trace of
// every promise a workflow creates (and maps each frame through the bundle's source map) for its
// `__stack_trace` query: 23 % of the workflow thread in the bench's profile, about 8 ms of CPU
// per contact. With a limit of 0 V8 hands the hook no frames and it stops there; any other limit
// costs about the same as the default 10 (the cost is per promise, not per frame: 6 frames
// measured within noise of 10), and fewer than 5 frames show only Temporal's own
// (scheduleLocalActivity, localActivityProxyFunction) before ours. The price: `temporal workflow
// stack` and the `__stack_trace` query answer with no frames, and an error thrown by workflow
// code carries its message but no frames (activities run in the main context, whose errors keep
// theirs). To see where a workflow stands, read its history; to debug workflow code, replay the
// history in a test (workflows/replay.test.ts) with this line removed. This module runs before
// Temporal freezes the context's globals, so workflow code cannot change the limit, and only in
// the workflow context: nothing outside the bundle's preload imports it.
Error.stackTraceLimit = 0;
