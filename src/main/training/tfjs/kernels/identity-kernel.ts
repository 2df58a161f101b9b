// Identity on the wasm backend without a copy. TF.js clones (Identity) every tensor it keeps for
// the backward pass; the wasm backend's Identity copies the buffer, so recording a forward pass
// duplicated every weight it touched (frozen ones included: 888 MB at nanoVLM-222M) and every
// saved activation. Sharing the buffer with a reference count is what the cpu backend does;
// tensors are immutable (a variable's assign swaps buffers), so nothing writes through it.
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

function sharedIdentity({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = inputs.x!;
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const KERNEL = sharedIdentity as unknown as tf.KernelFunc;

/** Replace the wasm backend's copying Identity (idempotent). */
export function registerSharedIdentityKernel(): void {
  const existing = tf.getKernel('Identity', 'wasm');
  if (existing?.kernelFunc === KERNEL) return;
  if (existing) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: KERNEL });
}
