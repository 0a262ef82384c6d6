/**
 * Two small tools for work that must not overlap or outlive its claim:
 * - SingleFlight: at most one run at a time; a call during a run asks for one more run after it.
 * - keepLease: renews a claim's lease at half its length while slow work (a paced write, a Retry-After
 *   wait) holds it, and says at once when the claim was lost.
 */

export class SingleFlight {
  private running: Promise<void> | null = null;
  private again = false;

  /** Runs `fn` now, or once more after the run in progress (calls meanwhile fold into that one). */
  run(fn: () => Promise<void>): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const loop = async () => {
      try {
        do {
          this.again = false;
          await fn();
        } while (this.again);
      } finally {
        this.running = null;
      }
    };
    this.running = loop();
    return this.running;
  }

  /** The run in progress, if any (for shutdown). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}

export interface LeaseKeeper {
  stop(): void;
}

/**
 * Calls `renew` every `everyMs`; when it answers false (the claim is no longer ours), calls `onLost`
 * once and stops. A renewal that throws (the database busy for a moment) is tried again next time.
 */
export function keepLease(renew: () => Promise<boolean>, everyMs: number, onLost: () => void): LeaseKeeper {
  let stopped = false;
  const timer = setInterval(() => {
    void renew().then(
      (held) => {
        if (!held && !stopped) {
          stopped = true;
          clearInterval(timer);
          onLost();
        }
      },
      () => undefined,
    );
  }, Math.max(10, everyMs));
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
