// The channels other than a call that a strategy may hand a contact over to, and which of them
// this dialer can actually deliver. A strategy may name a channel before it exists (its
// parameters are written once), but a campaign that could hand over to a channel nobody
// delivers is refused when it is created or edited (domain/strategies/registry.ts): a contact
// must not end in a hand-over that goes nowhere.

/** Every channel a strategy may name. */
export const HANDOVER_CHANNELS = ['sms'] as const;
export type HandoverChannel = (typeof HANDOVER_CHANNELS)[number];

/**
 * The channels that can take a contact over today: none. The SMS issue adds 'sms' here once
 * its channel (sending, delivery receipts, the contact's next step) exists.
 */
export const AVAILABLE_HANDOVER_CHANNELS: ReadonlySet<HandoverChannel> = new Set<HandoverChannel>();
