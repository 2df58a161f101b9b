// UnsortedSegmentSum, the gradient of gather (token embeddings, the image-token scatter), as one
// pass over the rows. The wasm backend lacks it (the backward pass would throw); the cpu
// backend's own builds a mask per segment, O(segments × rows × width), which for a 49k-token
// vocabulary makes one step take minutes. Both get this kernel.
import * as tf from '@tensorflow/tfjs';

type Values = Float32Array | Int32Array;

interface Backend {
  readSync(dataId: object): ArrayLike<number>;
}
/** How each backend wraps computed values as an output (their methods differ in name and order). */
const OUTPUT: Record<'wasm' | 'cpu', (backend: unknown, shape: number[], dtype: tf.DataType, values: Values) => tf.TensorInfo> = {
  wasm: (b, shape, dtype, values) =>
    (b as { makeOutput(s: number[], d: tf.DataType, offset: undefined, v: Values): tf.TensorInfo }).makeOutput(shape, dtype, undefined, values),
  cpu: (b, shape, dtype, values) => (b as { makeTensorInfo(s: number[], d: tf.DataType, v: Values): tf.TensorInfo }).makeTensorInfo(shape, dtype, values),
};

/** out[segmentIds[i]] += x[i] for rows i of x ([n, ...rest], segmentIds [n]); ids out of range are dropped. */
export function segmentSum(values: ArrayLike<number>, ids: ArrayLike<number>, numSegments: number, out: Values): void {
  const rowSize = ids.length === 0 ? 0 : values.length / ids.length;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < 0 || id >= numSegments) continue;
    const src = i * rowSize;
    const dst = id * rowSize;
    for (let j = 0; j < rowSize; j++) out[dst + j]! += values[src + j]!;
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function unsortedSegmentSum(backendName: 'wasm' | 'cpu', { inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const b = backend as Backend;
  const values = b.readSync(x.dataId);
  const ids = b.readSync(segmentIds.dataId);
  const rowSize = ids.length === 0 ? 0 : values.length / ids.length;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * rowSize) : new Float32Array(numSegments * rowSize);
  segmentSum(values, ids, numSegments, out);
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return OUTPUT[backendName](backend, shape, x.dtype, out);
}

const KERNELS = {
  wasm: ((args: KernelArgs) => unsortedSegmentSum('wasm', args)) as unknown as tf.KernelFunc,
  cpu: ((args: KernelArgs) => unsortedSegmentSum('cpu', args)) as unknown as tf.KernelFunc,
};

/** Install the kernel for a backend ('wasm' or 'cpu'), replacing the backend's own. */
export function registerSegmentSumKernel(backendName: 'wasm' | 'cpu'): void {
  const existing = tf.getKernel('UnsortedSegmentSum', backendName);
  if (existing?.kernelFunc === KERNELS[backendName]) return;
  if (existing) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: KERNELS[backendName] });
}
