// Many changes of one key, one run: the first change after a quiet spell runs at once, the
// changes that follow within `intervalMs` of a run are folded into one more run at the end of
// the interval, and a change during a run schedules the next one. So a key runs at most once
// per interval, and a change waits at most one interval plus one run.

interface KeyState {
  timer: NodeJS.Timeout | null;
  running: boolean;
  dirty: boolean;
  lastRunAt: number;
}

export class Coalescer {
  private readonly keys = new Map<string, KeyState>();
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly run: (key: string) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  touch(key: string): void {
    if (this.closed) return;
    let s = this.keys.get(key);
    if (!s) {
      s = { timer: null, running: false, dirty: false, lastRunAt: -Infinity };
      this.keys.set(key, s);
    }
    if (s.running) {
      s.dirty = true;
      return;
    }
    if (s.timer) return;
    const state = s;
    state.timer = setTimeout(() => void this.fire(key, state), Math.max(0, state.lastRunAt + this.intervalMs - this.now()));
  }

  private async fire(key: string, s: KeyState): Promise<void> {
    s.timer = null;
    s.running = true;
    s.dirty = false;
    s.lastRunAt = this.now();
    try {
      await this.run(key);
    } catch {
      // The run reports its own failures; the next change runs it again.
    } finally {
      s.running = false;
      if (s.dirty) this.touch(key);
    }
  }

  /** Keys with a run scheduled or in progress (tests). */
  pending(): number {
    return [...this.keys.values()].filter((s) => s.timer || s.running).length;
  }

  close(): void {
    this.closed = true;
    for (const s of this.keys.values()) if (s.timer) clearTimeout(s.timer);
    this.keys.clear();
  }
}
