// A shared/exclusive lock for the image store's files: writing images (many at once) takes it
// shared, the orphan sweep takes it alone, so the sweep never removes a file that an import is
// writing at that very moment.
export class StoreLock {
  private shared = 0;
  private exclusive: Promise<void> | null = null;
  private drained: (() => void) | null = null;

  async withShared<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    this.shared++;
    try {
      return await work();
    } finally {
      if (--this.shared === 0) this.drained?.();
    }
  }

  async withExclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    let release!: () => void;
    this.exclusive = new Promise((resolve) => (release = resolve));
    try {
      if (this.shared > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = null;
      return await work();
    } finally {
      this.exclusive = null;
      release();
    }
  }
}
