-- Up Migration

-- A contact the gate refused for good on every number, and not only through the blacklist: a
-- third party without consent (no_consent) or a number on the refusal list of mass calls
-- (mass_call_refused). 'blacklisted' keeps its meaning: every number is on the blacklist.
-- Each refusal's rule is in its attempt row's proof.
ALTER TYPE contact_state ADD VALUE 'refused';

-- Down Migration
-- (Postgres cannot drop an enum value: contact_state keeps 'refused'.)
