// Every simulated duration goes through one factor, so a whole run can be real time (1), fast
// for tests (0.01) or instant for the bench (0: everything on the next timer ticks, in the same
// order). Outcomes compare durations unscaled, so the factor never changes what happens.

export class TimeScale {
  constructor(readonly factor: number) {
    if (!(factor >= 0)) throw new Error('timeScale must be >= 0');
  }

  /** Runs fn after `ms` simulated ms, on a timer the channel cancels when it ends. */
  after(ch: { timers: NodeJS.Timeout[] }, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(fn, ms * this.factor);
    ch.timers.push(t);
    return t;
  }

  /** Real ms of `ms` simulated ms. */
  real(ms: number): number {
    return ms * this.factor;
  }

  /** Simulated ms since a real instant; 0 at factor 0, where no simulated time passes. */
  simulatedSince(realMs: number): number {
    return this.factor > 0 ? (Date.now() - realMs) / this.factor : 0;
  }
}
