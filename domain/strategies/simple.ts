import { z } from 'zod';
import { decide } from '../decide';
import type { Strategy } from './strategy';
import { attemptsOn, builtOnFirstUse, lastAttempt } from './strategy';

// simple v1: the dialer's behaviour before strategies, exactly (domain/decide.ts): one attempt
// count and one interval for every outcome, from the campaign's own columns. It has no
// parameters of its own, so every existing campaign keeps it unchanged.

const simpleParams = builtOnFirstUse(() => z.object({}).strict());

export const simpleV1: Strategy<Record<string, never>> = {
  name: 'simple',
  version: 1,
  get params() { return simpleParams(); },
  next(_params, input) {
    const { outcome, position } = lastAttempt(input);
    const d = decide(input.campaign, outcome, attemptsOn(input, position).length);
    switch (d.kind) {
      case 'done': return { kind: 'done' };
      case 'next_number': return { kind: 'next_number' };
      case 'retry_number': return { kind: 'call', position, notBefore: input.nowMs + d.afterMs };
    }
  },
  retryWaits(_params, campaign) {
    return campaign.maxAttemptsPerNumber < 2 ? [] : [{ seconds: campaign.retryIntervalSeconds, source: { campaign: 'retryIntervalSeconds' } }];
  },
};
