// Reading GPU tensors back to the host. onnxruntime-node's tensors with location 'gpu-buffer' (an
// IO-bound output of a WebGPU session) cannot be downloaded from JavaScript ("download: not
// implemented"); a one-node Identity graph on the same WebGPU device, whose output is an ordinary
// host tensor, copies one out. Used where a device-resident state must be seen: tests, checkpoints.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../onnx/graph-builder';
import { DataType, encodeModel, type DataTypeCode } from '../onnx/onnx-proto';
import { createSession } from './onnx-session';

const ELEMENT_TYPES: Partial<Record<ort.Tensor.Type, DataTypeCode>> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  int32: DataType.INT32,
  uint8: DataType.UINT8,
};

const readers = new Map<string, Promise<ort.InferenceSession>>();

/** The tensor's values on the host (a host tensor is returned as it is). */
export async function downloadTensor(tensor: ort.Tensor): Promise<ort.Tensor> {
  if (tensor.location === 'cpu') return tensor;
  if (tensor.location !== 'gpu-buffer') throw new Error(`cannot read a tensor held in ${tensor.location}`);
  const out = await (await reader(tensor.type, tensor.dims.length)).run({ x: tensor });
  return out.y as ort.Tensor;
}

function reader(type: ort.Tensor.Type, rank: number): Promise<ort.InferenceSession> {
  const key = `${type}:${rank}`;
  let session = readers.get(key);
  if (!session) {
    const elemType = ELEMENT_TYPES[type];
    if (elemType === undefined) throw new Error(`reading ${type} tensors back from the GPU is not supported`);
    const g = new GraphBuilder('read_back');
    const shape = Array.from({ length: rank }, (_, i) => `d${i}`);
    g.output(g.input('x', elemType, shape), 'y', elemType, shape);
    session = createSession(encodeModel(g.toModel({ '': 21 })), { provider: 'webgpu', threads: 1 }, 'the GPU read-back graph');
    readers.set(key, session);
    session.catch(() => readers.delete(key));
  }
  return session;
}
