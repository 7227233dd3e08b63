import type { Clock } from './clock.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * In-process token buckets for AWS's request quotas. A bucket refills at
 * `ratePerSecond` up to `burst` tokens; each request takes one.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock) {}

  /** Takes a token from `name`; false when the bucket is empty (the caller throttles). */
  take(name: string, ratePerSecond: number, burst: number): boolean {
    const now = this.clock.now().getTime();
    const bucket = this.buckets.get(name) ?? { tokens: burst, updatedAt: now };

    const refilled = ((now - bucket.updatedAt) / 1000) * ratePerSecond;
    bucket.tokens = Math.min(burst, bucket.tokens + refilled);
    bucket.updatedAt = now;
    this.buckets.set(name, bucket);

    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
