// The order in which a run visits its samples: a fresh seeded shuffle every epoch. Its whole
// state is three numbers, saved with each checkpoint so that a resumed run sees exactly the
// samples the uninterrupted run would have.
import { mulberry32 } from '../../util/mulberry32';

// re-exported for the modules that draw their seeded numbers from here
export { mulberry32 };

export interface DataOrderState {
  seed: number;
  epoch: number;
  /** position inside the current epoch's permutation */
  position: number;
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

  constructor(
    readonly size: number,
    private state: DataOrderState,
  ) {
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
