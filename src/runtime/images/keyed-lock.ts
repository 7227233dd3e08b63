/**
 * Runs work for one key at a time, in arrival order; different keys run concurrently. Pulls of
 * the same image share the cache through it: the first downloads a blob, the others wait and
 * then find it cached. Holders must take nested keys in one order (image, layer, blob) so two
 * pulls can never wait for each other.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier holder of `key` has finished, and answers its result. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last holder leaves no entry behind, so the map does not grow with every digest.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
