// Modules the workflow bundle loads once per worker thread instead of once per workflow
// (Temporal's reusable V8 context evaluates every other module again for each new workflow).
// luxon keeps its zones and Intl formatters in module-level caches: evaluated per workflow, each
// contact paid for new IANAZone and Intl.DateTimeFormat objects in its calling-hours wait (about
// 7 % of the workflow thread in the bench's CPU profile). Shared, it holds no per-workflow
// state: the workflow code never sets luxon's Settings, and its caches hold only what any
// workflow would compute the same way. Only such modules belong here: one with per-workflow
// state would leak it between workflows. (Preloaded modules' exports are frozen, which rules
// out zod schemas: zod writes a cache into a schema object on its first parse; zod itself is
// preloaded.)
export const WORKFLOW_PRELOAD_MODULES = [require.resolve('../../workflows/preloadedLibraries')];
