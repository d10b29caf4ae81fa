/** Time as actors and the runtime see it; tests inject their own to drive timers without sleeping. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (for persisted due dates). */
  now(): number;
  /** Monotonic milliseconds (for lease validity and timeouts; immune to wall-clock jumps). */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};
