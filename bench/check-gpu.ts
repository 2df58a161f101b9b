// The GPU check: on every GPU execution provider this machine has (cuda, webgpu), parity with
// nanoVLM's golden outputs (inference on the three families and one training step each) and the
// chat and training bench rows beside the CPU provider's, printing which adapter ran. Meant for a
// borrowed GPU machine and a few minutes: `--pack DIR` writes it as a folder that runs where there
// is no Node, no npm and no network (bench/gpu-check/pack.ts).
//
//   npm run check:gpu [-- --software] [-- --providers webgpu,cuda] [-- --families prefix,inline,split]
//                     [-- --variants fused,plain,int8,int4] [-- --size 222m|small] [-- --parity-only] [-- --json] [-- --fixtures DIR]
//   npm run check:gpu -- --pack DIR [--fast]     (then, on the GPU machine: sh DIR/run.sh [same options])
//   --software: also run on a software adapter (lavapipe), which a GPU provider never picks by itself
//   --size: the bench rows' model (default 222m on a GPU, small on a software adapter)
// Exit status: 0 all parity met on at least one GPU provider, 1 a check failed, 2 no GPU provider.
import { runGpuCheck } from './gpu-check/check';

const argv = process.argv.slice(2);
const packAt = argv.indexOf('--pack');
if (packAt >= 0) {
  const { packGpuCheck } = await import('./gpu-check/pack');
  await packGpuCheck(argv[packAt + 1] ?? '', { fast: argv.includes('--fast') }, (line) => console.log(line));
} else {
  process.exitCode = await runGpuCheck(argv);
}
