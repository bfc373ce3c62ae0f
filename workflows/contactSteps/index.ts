// The contact step library: what a strategy workflow (workflows/strategies/<name>/) is built
// from. A workflow opens its contact, attempts calls on its numbers when it chooses, and
// finishes; every attempt goes through the gate, the calling hours, the caps and the proof row
// (docs/strategies.md, "Whole strategy workflows"). The activities stay inside the library.

export { openContact, type AttemptOptions, type Contact } from './contact';
export type { AttemptResult } from './attemptCall';
export type { ContactInput } from './session';
export { nextLocalHours } from './localTime';
