// Weights stored beside the graph as ONNX "external data": one binary file, each tensor starting at
// a 4 KiB-aligned offset so that ONNX Runtime can map it directly. The graph only keeps the
// location, offset and length.
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { DataTypeCode, TensorProto } from './onnx-proto';

const ALIGNMENT = 4096;

export class ExternalDataWriter {
  private readonly fd: number;
  private offset = 0;
  /** what was written, by initializer name: graphs built over the same weights share them */
  private readonly written = new Map<string, TensorProto>();
  readonly location: string;

  /** `path` is the data file; the graph refers to it by its base name (same folder). */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    this.location = basename(path);
  }

  /** The initializer of that name written earlier (by this graph or another over the same weights). */
  stored(name: string): TensorProto | undefined {
    return this.written.get(name);
  }

  /** Append one tensor's bytes and describe it as an external initializer. */
  write(name: string, dims: number[], dataType: DataTypeCode, bytes: Uint8Array): TensorProto {
    if (this.written.has(name)) throw new Error(`external data: "${name}" written twice`);
    const start = Math.ceil(this.offset / ALIGNMENT) * ALIGNMENT;
    let written = 0;
    while (written < bytes.byteLength) {
      written += writeSync(this.fd, bytes, written, bytes.byteLength - written, start + written);
    }
    this.offset = start + bytes.byteLength;
    const proto: TensorProto = {
      name,
      dims,
      dataType,
      dataLocation: 1,
      externalData: [
        { key: 'location', value: this.location },
        { key: 'offset', value: String(start) },
        { key: 'length', value: String(bytes.byteLength) },
      ],
    };
    this.written.set(name, proto);
    return proto;
  }

  get bytesWritten(): number {
    return this.offset;
  }

  close(): void {
    closeSync(this.fd);
  }
}
