// The packed check's entry (pack.ts bundles it as check/check-gpu.mjs; run.sh runs it).
import { runGpuCheck } from '../check';

process.exitCode = await runGpuCheck(process.argv.slice(2));
