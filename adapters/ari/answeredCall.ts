// How an answered call is judged: the answering-machine detector's verdict and whether the
// subscriber heard enough of the message.

/**
 * AMD()'s AMDSTATUS (app_amd.c: MACHINE, HUMAN, NOTSURE, HANGUP) as the dialer reads it.
 * NOTSURE counts as a person: a debtor must not be treated as a machine on a guess.
 */
export function amdVerdict(status: string | undefined): 'human' | 'machine' | 'gone' {
  switch (status) {
    case 'MACHINE':
      return 'machine';
    case 'HANGUP':
      return 'gone';
    default:
      return 'human';
  }
}

/** Heard enough of the message: all of it, or at least the campaign's minimum. */
export function listenedEnough(heardToTheEnd: boolean, listenedMs: number, minListenSeconds: number | null): boolean {
  return heardToTheEnd || (minListenSeconds !== null && listenedMs >= minListenSeconds * 1000);
}
