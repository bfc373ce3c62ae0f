-- Up Migration

ALTER TABLE campaign
  -- The key that puts the subscriber through to the operators' queue; null: no operators.
  ADD COLUMN operator_key text CHECK (operator_key ~ '^[0-9*#]$'),
  -- How long a subscriber waits in the queue before the dialer apologises and hangs up.
  ADD COLUMN operator_wait_seconds integer NOT NULL DEFAULT 60 CHECK (operator_wait_seconds BETWEEN 5 AND 3600),
  -- Answering-machine detection (Asterisk's AMD() in the dialer-amd context) and what a machine
  -- gets: 'hang_up' (give up on this number), 'leave_message' (play it; the contact is done),
  -- 'retry' (call the number again later).
  ADD COLUMN detect_machines boolean NOT NULL DEFAULT false,
  ADD COLUMN machine_action text NOT NULL DEFAULT 'retry' CHECK (machine_action IN ('hang_up', 'leave_message', 'retry'));

-- Down Migration
ALTER TABLE campaign DROP COLUMN machine_action, DROP COLUMN detect_machines,
  DROP COLUMN operator_wait_seconds, DROP COLUMN operator_key;
