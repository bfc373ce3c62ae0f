// Libraries the workflow bundle loads once per worker thread instead of once per workflow
// (Temporal's reusable V8 context re-evaluates every other module for each new workflow).
// luxon keeps its zones and Intl formatters in module-level caches: evaluated per workflow, each
// contact paid for new Intl.DateTimeFormat objects at its first calling-hours check (about 6 %
// of the workflow thread in the bench's CPU profile). Shared, it holds no per-workflow state:
// the workflow code never sets luxon's Settings, and the caches hold only what any workflow
// would compute the same way. Only pure libraries belong here: a module with per-workflow
// state would leak it between workflows.
export const WORKFLOW_PRELOAD_MODULES = ['luxon'];
