// `nanovlm forward`: run a checkpoint through its exported ONNX graphs on the fixture layout
// (pixel_values, input_ids) and write vision_out, mp_out and logits at every position, to compare
// with nanoVLM's PyTorch outputs.
import { existsSync } from 'node:fs';
import { requireString, numberOption, type CliCommand } from '../command';
import { SafetensorsFile, writeSafetensors } from '../../model/safetensors';
import { ensureExport } from '../../onnx/export-cache';
import { parseQuantization } from '../../onnx/export-options';
import { vitPatchesPerSide } from '../../model/config';
import { defaultCacheDir, resolveModelFolder } from '../../runtime/model-files';
import { VlmEngine } from '../../runtime/vlm-engine';
import { parseProvider, PROVIDER_ENV } from '../../runtime/providers';

export const command: CliCommand = {
  name: 'forward',
  summary: 'run pixel_values + input_ids through the exported ONNX graphs; write vision_out, mp_out, logits',
  usage: [
    'Usage: nanovlm forward --model DIR --inputs IN.safetensors --out OUT.safetensors [options]',
    '',
    '  --model REF        checkpoint folder or Hub repo id',
    '  --inputs FILE      safetensors with pixel_values [T,3,P,P] and input_ids [1,S]',
    '  --out FILE         safetensors to write: vision_out [T,N,D], mp_out [T,L,D_lm], logits [1,positions,V]',
    '  --quant Q          none | int8 | int4 (default none)',
    '  --graph G          fused (default) | plain',
    `  --provider P       cpu | cuda | webgpu (default: $${PROVIDER_ENV}, else detected)`,
    '  --threads N        intra-op threads',
    '  --cache-dir DIR    export cache (default $NANOVLM_CACHE_DIR or <data folder>/cache)',
  ].join('\n'),
  options: {
    model: { type: 'string' },
    inputs: { type: 'string' },
    out: { type: 'string' },
    quant: { type: 'string' },
    graph: { type: 'string' },
    provider: { type: 'string' },
    threads: { type: 'string' },
    'cache-dir': { type: 'string' },
  },
  async run(args, io) {
    const inputsPath = requireString(args, 'inputs');
    const outPath = requireString(args, 'out');
    if (!existsSync(inputsPath)) throw new Error(`${inputsPath}: not found`);
    const { pixels, tiles, inputIds } = readInputs(inputsPath);
    const { folder } = await resolveModelFolder(requireString(args, 'model'), io.signal);
    const graph = (args.values.graph as string | undefined) === 'plain' ? 'plain' : 'fused';
    const exported = await ensureExport(
      folder,
      { quant: parseQuantization(args.values.quant as string | undefined), graph, allLogits: true },
      {
        cacheDir: (args.values['cache-dir'] as string | undefined) ?? defaultCacheDir(),
        signal: io.signal,
        onProgress: (p) => io.err(`export: ${p.stage}\n`),
      },
    );
    const threads = numberOption(args, 'threads', (n) => Number.isInteger(n) && n > 0);
    const engine = await VlmEngine.load(exported.dir, { provider: parseProvider(args.values.provider as string | undefined), ...(threads ? { threads } : {}) });
    try {
      const result = await engine.forward(inputIds, pixels, tiles);
      const c = engine.config;
      writeSafetensors(outPath, {
        vision_out: { dtype: 'F32', shape: [tiles, vitPatchesPerSide(c) ** 2, c.vit_hidden_dim], data: result.visionOut },
        mp_out: { dtype: 'F32', shape: [tiles, c.mp_image_token_length, c.lm_hidden_dim], data: result.mpOut },
        logits: { dtype: 'F32', shape: [1, result.positions, c.lm_vocab_size], data: result.logits },
      });
      io.err(`wrote ${outPath} (${result.positions} positions, ${engine.provider} on ${engine.device})\n`);
    } finally {
      await engine.dispose();
    }
    return 0;
  },
};

function readInputs(path: string): { pixels: Float32Array; tiles: number; inputIds: number[] } {
  const file = SafetensorsFile.open(path);
  try {
    for (const name of ['pixel_values', 'input_ids']) if (!file.has(name)) throw new Error(`${path}: tensor "${name}" is missing`);
    const idsShape = file.info('input_ids').shape;
    if (idsShape.length !== 2 || idsShape[0] !== 1) throw new Error(`${path}: input_ids has shape [${idsShape.join(', ')}], expected [1, S] (one sequence)`);
    return { pixels: file.readFloat32('pixel_values'), tiles: file.info('pixel_values').shape[0]!, inputIds: file.readInts('input_ids') };
  } finally {
    file.close();
  }
}
