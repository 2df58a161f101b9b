// Whether this machine has a WebGPU adapter for the tests that run on ONNX Runtime's WebGPU
// provider (here: Mesa's lavapipe, a software Vulkan device that .ci/run installs), and if not,
// why: those tests are skipped with that reason in their title, and only then.
import { detectInferenceProviders } from '../../src/main/runtime/providers';

const detection = detectInferenceProviders();
const webgpu = detection.candidates.find((c) => c.name === 'webgpu')!;

export const WEBGPU_AVAILABLE = webgpu.available;

/** A suite title that states why it is skipped when there is no adapter. */
export function onWebGpu(title: string): string {
  return WEBGPU_AVAILABLE ? `${title} (webgpu: ${detection.webgpuAdapter!.name})` : `${title} — SKIPPED: no WebGPU adapter (${webgpu.detail})`;
}
