// `nanovlm export-onnx`: write a checkpoint's ONNX graphs (vision, decoder) and token embedding
// into a folder that the runtime (and any ONNX Runtime) can load.
import { requireString, UsageError, type CliCommand } from '../command';
import { openCheckpoint } from '../../model/checkpoint';
import { exportOnnx } from '../../onnx/export';
import { parseQuantization } from '../../onnx/export-options';
import { resolveModelFolder } from '../../runtime/model-files';

export const command: CliCommand = {
  name: 'export-onnx',
  summary: 'export a checkpoint to ONNX graphs (vision encoder + projector, decoder with KV cache)',
  usage: [
    'Usage: nanovlm export-onnx --model <repo id|folder> --out DIR [options]',
    '',
    '  --model REF        Hub repo id (e.g. lusxvr/nanoVLM-222M) or checkpoint folder',
    '  --out DIR          output folder (vision.onnx, decoder.onnx, decoder-gpu.onnx, their .data files, embed_tokens.f32, manifest.json)',
    '  --quant Q          none | int8 | int4: weight-only quantisation of the decoder (default none)',
    '  --graph G          fused (ONNX Runtime contrib ops, default) | plain (standard ops only)',
    '  --all-logits       decoder outputs logits at every position (default: the last one)',
  ].join('\n'),
  options: {
    model: { type: 'string' },
    out: { type: 'string' },
    quant: { type: 'string' },
    graph: { type: 'string' },
    'all-logits': { type: 'boolean' },
  },
  async run(args, io) {
    const reference = requireString(args, 'model');
    const out = requireString(args, 'out');
    const graph = (args.values.graph as string | undefined) ?? 'fused';
    if (graph !== 'fused' && graph !== 'plain') throw new UsageError(`--graph must be fused or plain, got "${graph}"`);
    const quant = parseQuantization(args.values.quant as string | undefined);
    if (graph === 'plain' && quant !== 'none') throw new UsageError('--graph plain exports fp32 only (drop --quant)');
    const { folder } = await resolveModelFolder(reference, io.signal);
    const checkpoint = openCheckpoint(folder);
    const started = performance.now();
    try {
      exportOnnx(checkpoint, out, { quant, graph, allLogits: args.values['all-logits'] === true }, (p) =>
        io.err(`export: ${p.stage} (${Math.round(p.fraction * 100)}%)\n`),
      );
    } finally {
      checkpoint.close();
    }
    io.err(`exported ${folder} (${checkpoint.family}, ${graph}, ${quant}) to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  },
};
