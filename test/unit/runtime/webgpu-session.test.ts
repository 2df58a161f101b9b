// Sessions on ONNX Runtime's WebGPU provider (lavapipe here): same results as the CPU provider,
// outputs kept on the device and fed back as inputs (IO binding), read back through the read-back
// graph, and clear errors.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/main/onnx/graph-builder';
import { DataType, encodeModel } from '../../../src/main/onnx/onnx-proto';
import { downloadTensor } from '../../../src/main/runtime/device-tensors';
import { createSession } from '../../../src/main/runtime/onnx-session';
import { onWebGpu, WEBGPU_AVAILABLE } from '../../helpers/webgpu';

/** y = x·W + 1 over [n, 4] — a MatMul and an Add, both WebGPU kernels */
function affineGraph(): Uint8Array {
  const g = new GraphBuilder('affine');
  const x = g.input('x', DataType.FLOAT, ['n', 4]);
  const w = g.initializer(
    'w',
    Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + 1)),
    [4, 4],
  );
  g.output(g.op('Add', [g.op('MatMul', [x, w]), g.scalar(1)]), 'y', DataType.FLOAT, ['n', 4]);
  return encodeModel(g.toModel({ '': 21 }));
}

describe.skipIf(!WEBGPU_AVAILABLE)(onWebGpu('createSession on webgpu'), () => {
  const x = () =>
    new ort.Tensor(
      'float32',
      Float32Array.from({ length: 8 }, (_, i) => i / 3 - 1),
      [2, 4],
    );

  it("gives the CPU provider's results", async () => {
    const [cpu, gpu] = await Promise.all([
      createSession(affineGraph(), { provider: 'cpu', threads: 1 }),
      createSession(affineGraph(), { provider: 'webgpu', threads: 1 }),
    ]);
    const [a, b] = await Promise.all([cpu.run({ x: x() }), gpu.run({ x: x() })]);
    const expected = a.y!.data as Float32Array;
    (b.y!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    await Promise.all([cpu.release(), gpu.release()]);
  });

  it('keeps outputs on the device, takes them back as inputs, and reads them back', async () => {
    const cpu = await createSession(affineGraph(), { provider: 'cpu', threads: 1 });
    const gpu = await createSession(affineGraph(), { provider: 'webgpu', threads: 1, outputsOnDevice: ['y'] });
    let onHost: ort.Tensor = x();
    let onDevice: ort.Tensor = x();
    for (let i = 0; i < 3; i++) {
      onHost = (await cpu.run({ x: onHost })).y as ort.Tensor;
      const next = (await gpu.run({ x: onDevice })).y as ort.Tensor;
      expect(next.location).toBe('gpu-buffer');
      if (onDevice.location === 'gpu-buffer') onDevice.dispose();
      onDevice = next;
    }
    const read = await downloadTensor(onDevice);
    expect(read.location).toBe('cpu');
    expect(read.dims).toEqual([2, 4]);
    const expected = onHost.data as Float32Array;
    (read.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    onDevice.dispose();
    await Promise.all([cpu.release(), gpu.release()]);
  });
});

describe('createSession errors', () => {
  it('refuses device outputs on a provider without a device', async () => {
    await expect(createSession(affineGraph(), { provider: 'cpu', outputsOnDevice: ['y'] }, 'the affine graph')).rejects.toThrow(
      'the affine graph: outputs can stay on the device only with the webgpu provider (asked: cpu)',
    );
  });

  it('names the graph and the provider when ONNX Runtime refuses a graph', async () => {
    await expect(createSession(new Uint8Array([1, 2, 3]), { provider: 'cpu' }, 'the broken graph')).rejects.toThrow(
      /^the broken graph: ONNX Runtime could not load the graph on the cpu provider \(/,
    );
  });
});
