// What an export folder holds: graphs with their weights as 4 KiB-aligned external data (the fused
// export's two decoders sharing one file), the opsets and contrib ops of each variant, and the manifest.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, type ModelProto } from '../../../src/main/onnx/onnx-proto';
import { decoderFor, readExportedModel } from '../../../src/main/runtime/exported-model';
import { exportFixture, removeDir } from './fixtures';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function exported(options: Parameters<typeof exportFixture>[1]): { dir: string; graph: (f: string) => ModelProto } {
  const dir = exportFixture('prefix', options);
  dirs.push(dir);
  return { dir, graph: (f) => decodeModel(readFileSync(join(dir, f))) };
}

describe('export folder', () => {
  const fused = exported({});
  const plain = exported({ graph: 'plain' });

  it('stores large weights as external data at 4 KiB-aligned offsets; the two fused decoders share theirs, written once', () => {
    for (const [file, data] of [
      ['vision.onnx', 'vision.onnx.data'],
      ['decoder.onnx', 'decoder.onnx.data'],
      ['decoder-gpu.onnx', 'decoder.onnx.data'],
    ]) {
      const model = fused.graph(file!);
      const external = model.graph.initializer.filter((t) => t.dataLocation === 1);
      expect(external.length).toBeGreaterThan(5);
      const dataSize = statSync(join(fused.dir, data!)).size;
      for (const t of external) {
        const entry = Object.fromEntries(t.externalData!.map((e) => [e.key, e.value]));
        expect(entry.location).toBe(data);
        expect(Number(entry.offset) % 4096).toBe(0);
        expect(Number(entry.offset) + Number(entry.length)).toBeLessThanOrEqual(dataSize);
      }
    }
    const where = (file: string) =>
      new Map(
        fused
          .graph(file)
          .graph.initializer.filter((t) => t.dataLocation === 1)
          .map((t) => [t.name, t.externalData!.find((e) => e.key === 'offset')!.value]),
      );
    const cpu = where('decoder.onnx');
    const gpu = where('decoder-gpu.onnx');
    expect([...gpu.keys()].sort()).toEqual([...cpu.keys()].sort());
    for (const [name, offset] of gpu) expect(cpu.get(name)).toBe(offset);
  });

  it('fused decoders use the contrib ops (the CPU one ONNX Attention, the GPU one GroupQueryAttention); plain uses standard ops only', () => {
    const opsOf = (file: string) => new Set(fused.graph(file).graph.node.map((n) => n.opType));
    const cpu = opsOf('decoder.onnx');
    const gpu = opsOf('decoder-gpu.onnx');
    for (const ops of [cpu, gpu]) for (const op of ['SkipSimplifiedLayerNormalization', 'SimplifiedLayerNormalization']) expect(ops).toContain(op);
    for (const op of ['Attention', 'RotaryEmbedding']) expect(cpu).toContain(op);
    expect(cpu).not.toContain('GroupQueryAttention');
    expect(gpu).toContain('GroupQueryAttention');
    expect(gpu).not.toContain('Attention');
    expect(fused.graph('decoder.onnx').opsetImport.find((o) => !o.domain)?.version).toBe(24);
    const plainNodes = plain.graph('decoder.onnx').graph.node;
    expect(plainNodes.every((n) => !n.domain)).toBe(true);
    expect(plain.graph('vision.onnx').graph.node.every((n) => !n.domain)).toBe(true);
  });

  it('declares the decoder interface with the KV cache per layer: the fused graphs return the appended positions of every layer in one tensor and the best next-token candidates, the plain one the whole cache', () => {
    const inputs = ['inputs_embeds', 'attention_mask', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value'];
    const dims = (g: ModelProto['graph'], name: string) => [...g.input, ...g.output].find((v) => v.name === name)!.type.tensorType.shape.dim;
    for (const file of ['decoder.onnx', 'decoder-gpu.onnx']) {
      const g = fused.graph(file).graph;
      expect(g.input.map((i) => i.name)).toEqual([...inputs, 'top_k']);
      expect(g.output.map((o) => o.name)).toEqual(['logits', 'appended_kv', 'top_scores', 'top_ids']);
      expect(g.output[0]!.type.tensorType.shape.dim[1]).toEqual({ dimValue: 1 }); // last position only unless allLogits
    }
    // the fixture: 2 blocks, 2 kv heads of 16. CPU: position-major [1, past, kv·hd] and [2·layers, seq, kv·hd]
    const cpu = fused.graph('decoder.onnx').graph;
    expect(dims(cpu, 'past_key_values.0.key')).toEqual([{ dimValue: 1 }, { dimParam: 'past' }, { dimValue: 32 }]);
    expect(dims(cpu, 'appended_kv')).toEqual([{ dimValue: 4 }, { dimParam: 'seq' }, { dimValue: 32 }]);
    // GPU: [batch, kv, capacity, hd] and [2 · layers, kv heads, seq, head dim]
    const gpu = fused.graph('decoder-gpu.onnx').graph;
    expect(dims(gpu, 'past_key_values.0.key')).toEqual([{ dimParam: 'batch' }, { dimValue: 2 }, { dimParam: 'past' }, { dimValue: 16 }]);
    expect(dims(gpu, 'appended_kv')).toEqual([{ dimValue: 4 }, { dimValue: 2 }, { dimParam: 'seq' }, { dimValue: 16 }]);
    const p = plain.graph('decoder.onnx').graph;
    expect(p.input.map((i) => i.name)).toEqual(inputs);
    expect(p.output.map((o) => o.name)).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(p.output[1]!.type.tensorType.shape.dim[2]).toEqual({ dimParam: 'total' });
  });

  it('the runtime runs the CPU decoder on the CPU and the GroupQueryAttention one on GPU providers, each with its cache layout', () => {
    const model = readExportedModel(fused.dir);
    expect(decoderFor(model, 'cpu')).toEqual({ path: join(fused.dir, 'decoder.onnx'), cacheLayout: 'positions' });
    for (const provider of ['webgpu', 'cuda'] as const)
      expect(decoderFor(model, provider)).toEqual({ path: join(fused.dir, 'decoder-gpu.onnx'), cacheLayout: 'heads' });
    const standard = readExportedModel(plain.dir);
    for (const provider of ['cpu', 'webgpu'] as const)
      expect(decoderFor(standard, provider)).toEqual({ path: join(plain.dir, 'decoder.onnx'), cacheLayout: 'concat' });
  });

  it('writes the fp32 token embedding and a manifest', () => {
    const manifest = JSON.parse(readFileSync(join(fused.dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ family: 'prefix', options: { quant: 'none', graph: 'fused', allLogits: false } });
    expect(manifest.files).toEqual({ vision: 'vision.onnx', decoder: 'decoder.onnx', gpuDecoder: 'decoder-gpu.onnx', embeddings: 'embed_tokens.f32' });
    expect(JSON.parse(readFileSync(join(plain.dir, 'manifest.json'), 'utf8')).files.gpuDecoder).toBeUndefined();
    expect(statSync(join(fused.dir, 'embed_tokens.f32')).size).toBe(256 * 64 * 4);
  });
});
