// A token bucket per caller: a misbehaving client is refused, the API keeps serving the rest.
// Per process; an API run as several processes allows each its own budget.
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  /** True when the caller may make one more request now. */
  take(caller: string): boolean {
    const t = this.now();
    const b = this.buckets.get(caller) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) / 60_000) * this.perMinute);
    b.at = t;
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    this.buckets.set(caller, b);
    return allowed;
  }
}
