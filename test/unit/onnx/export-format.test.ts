// What an export folder holds: graphs with their weights as 4 KiB-aligned external data, the
// opsets and contrib ops of each variant, and the manifest.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, type ModelProto } from '../../../src/main/onnx/onnx-proto';
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

  it('stores large weights as external data at 4 KiB-aligned offsets', () => {
    for (const file of ['vision.onnx', 'decoder.onnx']) {
      const model = fused.graph(file);
      const external = model.graph.initializer.filter((t) => t.dataLocation === 1);
      expect(external.length).toBeGreaterThan(5);
      const dataSize = statSync(join(fused.dir, `${file}.data`)).size;
      for (const t of external) {
        const entry = Object.fromEntries(t.externalData!.map((e) => [e.key, e.value]));
        expect(entry.location).toBe(`${file}.data`);
        expect(Number(entry.offset) % 4096).toBe(0);
        expect(Number(entry.offset) + Number(entry.length)).toBeLessThanOrEqual(dataSize);
      }
    }
  });

  it('fused decoder uses the contrib ops; plain uses standard ops only', () => {
    const fusedOps = new Set(fused.graph('decoder.onnx').graph.node.map((n) => n.opType));
    for (const op of ['GroupQueryAttention', 'SkipSimplifiedLayerNormalization', 'SimplifiedLayerNormalization']) expect(fusedOps).toContain(op);
    const plainNodes = plain.graph('decoder.onnx').graph.node;
    expect(plainNodes.every((n) => !n.domain)).toBe(true);
    expect(plain.graph('vision.onnx').graph.node.every((n) => !n.domain)).toBe(true);
  });

  it('declares the decoder interface with the KV cache per layer: the fused graph returns the appended positions of every layer in one tensor and the best next-token candidates, the plain one the whole cache', () => {
    const inputs = ['inputs_embeds', 'attention_mask', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value'];
    const g = fused.graph('decoder.onnx').graph;
    expect(g.input.map((i) => i.name)).toEqual([...inputs, 'top_k']);
    expect(g.output.map((o) => o.name)).toEqual(['logits', 'appended_kv', 'top_scores', 'top_ids']);
    // [2 · layers, kv heads, seq, head dim] of the fixture (2 blocks, 2 kv heads of 16)
    expect(g.output[1]!.type.tensorType.shape.dim).toEqual([{ dimValue: 4 }, { dimValue: 2 }, { dimParam: 'seq' }, { dimValue: 16 }]);
    const logitsDims = g.output[0]!.type.tensorType.shape.dim;
    expect(logitsDims[1]).toEqual({ dimValue: 1 }); // last position only unless allLogits
    const p = plain.graph('decoder.onnx').graph;
    expect(p.input.map((i) => i.name)).toEqual(inputs);
    expect(p.output.map((o) => o.name)).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(p.output[1]!.type.tensorType.shape.dim[2]).toEqual({ dimParam: 'total' });
  });

  it('writes the fp32 token embedding and a manifest', () => {
    const manifest = JSON.parse(readFileSync(join(fused.dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ family: 'prefix', options: { quant: 'none', graph: 'fused', allLogits: false } });
    expect(statSync(join(fused.dir, 'embed_tokens.f32')).size).toBe(256 * 64 * 4);
  });
});
