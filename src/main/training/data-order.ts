// The order in which a run visits its samples: a fresh seeded shuffle every epoch. Its whole
// state is three numbers, saved with each checkpoint so that a resumed run sees exactly the
// samples the uninterrupted run would have.

export interface DataOrderState {
  seed: number;
  epoch: number;
  /** position inside the current epoch's permutation */
  position: number;
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; deterministic across platforms. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates permutation of 0…n−1 for one epoch. */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  const random = mulberry32((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export class DataOrder {
  private permutation: Int32Array;

  constructor(readonly size: number, private state: DataOrderState) {
    if (size <= 0) throw new Error('the dataset has no samples');
    this.permutation = epochPermutation(size, state.seed, state.epoch);
  }

  static start(size: number, seed: number): DataOrder {
    return new DataOrder(size, { seed, epoch: 0, position: 0 });
  }

  /** The next `count` sample indices, crossing into the next epoch's shuffle when needed. */
  next(count: number): number[] {
    const out: number[] = [];
    while (out.length < count) {
      if (this.state.position >= this.size) {
        this.state = { ...this.state, epoch: this.state.epoch + 1, position: 0 };
        this.permutation = epochPermutation(this.size, this.state.seed, this.state.epoch);
      }
      out.push(this.permutation[this.state.position++]!);
    }
    return out;
  }

  snapshot(): DataOrderState {
    return { ...this.state };
  }
}
