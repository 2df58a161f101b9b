// A small builder for ONNX graphs: named inputs/outputs, initializers (large ones written as
// external data), and nodes whose outputs get unique names from the current scope
// ("blocks.3/attn/MatMul_12"), so that a graph dump reads like the model's module tree.
import type { ExternalDataWriter } from './external-data';
import {
  AttributeType,
  DataType,
  IR_VERSION,
  type AttributeProto,
  type DataTypeCode,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto';

export type Dim = number | string;

/** Attribute values: integers are INT(S); wrap a real with `float()`. */
export type AttrValue = number | number[] | string | FloatAttr;
interface FloatAttr {
  float: number;
}
export const float = (value: number): FloatAttr => ({ float: value });

export interface OpOptions {
  domain?: string;
  /** number of outputs (default 1); an empty-string name marks an output that is not wanted */
  outputs?: number;
  skipOutputs?: number[];
}

export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** Below this many bytes an initializer stays inside the graph file. */
const INLINE_LIMIT = 1024;

export const MS_DOMAIN = 'com.microsoft';

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly scopes: string[] = [];
  private counter = 0;
  private readonly pendingOutputs: { value: string; name: string }[] = [];

  constructor(
    readonly name: string,
    private readonly weights?: ExternalDataWriter,
  ) {}

  /** Run `build` with names prefixed by `name` (like a PyTorch submodule). */
  scope<T>(name: string, build: () => T): T {
    this.scopes.push(name);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  private fresh(base: string): string {
    return [...this.scopes, `${base}_${this.counter++}`].join('/');
  }

  input(name: string, elemType: DataTypeCode, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, shape));
    return name;
  }

  /**
   * Declare `value` a graph output named `name`. A value computed by a node is renamed (so the node
   * writes the output itself: an Identity would copy it, which for a training graph's updated
   * weights is hundreds of megabytes a step); a graph input or a value already output goes through
   * an Identity.
   */
  output(value: string, name: string, elemType: DataTypeCode, shape: Dim[]): void {
    if (value !== name) this.pendingOutputs.push({ value, name });
    this.outputs.push(valueInfo(name, elemType, shape));
  }

  /** Give each pending output its name (see output()). */
  private nameOutputs(): void {
    const produced = new Set(this.nodes.flatMap((n) => n.output));
    const renamed = new Map<string, string>();
    for (const { value, name } of this.pendingOutputs) {
      if (produced.has(value) && !renamed.has(value) && !this.outputs.some((o) => o.name === value)) {
        renamed.set(value, name);
      } else {
        this.nodes.push({ name: `${name}/Identity`, opType: 'Identity', input: [renamed.get(value) ?? value], output: [name], attribute: [] });
      }
    }
    this.pendingOutputs.length = 0;
    if (renamed.size === 0) return;
    for (const node of this.nodes) {
      node.input = node.input.map((v) => renamed.get(v) ?? v);
      node.output = node.output.map((v) => renamed.get(v) ?? v);
    }
  }

  /**
   * An initializer that another graph over the same external data file already wrote (the
   * export's two decoders share their weights), taken as it is; undefined when there is none.
   */
  stored(name: string): string | undefined {
    const proto = this.weights?.stored(name);
    if (!proto) return undefined;
    this.initializers.push(proto);
    return name;
  }

  /** A named constant tensor; large ones go to the external data file. */
  initializer(name: string, data: TensorData, dims: number[]): string {
    const dataType = dataTypeOf(data);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== data.length) throw new Error(`initializer "${name}": ${data.length} values for dims [${dims.join(', ')}] (expected ${expected})`);
    if (this.weights && bytes.byteLength >= INLINE_LIMIT) {
      const earlier = this.weights.stored(name);
      if (earlier && externalLength(earlier) !== bytes.byteLength)
        throw new Error(`initializer "${name}": ${bytes.byteLength} bytes, but another graph wrote ${externalLength(earlier)}`);
      this.initializers.push(earlier ?? this.weights.write(name, dims, dataType, bytes));
    } else {
      this.initializers.push({ name, dims, dataType, rawData: bytes.slice() });
    }
    return name;
  }

  /** A small int64 constant (shapes, axes, indices); a scalar when `scalar` is set. */
  ints(values: number[], scalar = false): string {
    return this.initializer(this.fresh('const'), BigInt64Array.from(values.map(BigInt)), scalar ? [] : [values.length]);
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    return this.initializer(this.fresh('const'), Float32Array.of(value), []);
  }

  /** One node with one output. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, options: OpOptions = {}): string {
    return this.opN(opType, inputs, attrs, { ...options, outputs: 1 })[0]!;
  }

  /** One node with several outputs; outputs listed in `skipOutputs` are left unnamed (unused). */
  opN(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, options: OpOptions = {}): string[] {
    const nodeName = this.fresh(opType);
    const count = options.outputs ?? 1;
    const output = Array.from({ length: count }, (_, i) => (options.skipOutputs?.includes(i) ? '' : `${nodeName}:${i}`));
    const node: NodeProto = { name: nodeName, opType, input: inputs, output, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) };
    if (options.domain) node.domain = options.domain;
    this.nodes.push(node);
    return output;
  }

  toModel(opsets: Record<string, number>, metadata: Record<string, string> = {}): ModelProto {
    this.nameOutputs();
    return {
      irVersion: IR_VERSION,
      producerName: 'nanovlm-studio',
      producerVersion: '1',
      opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    };
  }
}

function valueInfo(name: string, elemType: DataTypeCode, shape: Dim[]): ValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function dataTypeOf(data: TensorData): DataTypeCode {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof BigInt64Array) return DataType.INT64;
  return DataType.UINT8;
}

function attribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute "${name}": ${value} is not an integer (wrap real values with float())`);
    return { name, type: AttributeType.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function externalLength(proto: TensorProto): number {
  return Number(proto.externalData?.find((e) => e.key === 'length')?.value);
}
