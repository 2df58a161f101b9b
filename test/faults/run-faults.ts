// npm run test:faults [-- --seed N] [--kills N] [--damage-every N] [--max-seconds S] [--json]
// Kills the studio at random (seeded) points of its work, damages files, checks every restart,
// prints the table, and exits 1 if anything acknowledged was lost, anything half-written was left
// visible, or any damage went unnoticed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorker } from './bundle-worker';
import { failures, reportTable, runFaultSuite } from './fault-suite';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    kills: { type: 'string' },
    'damage-every': { type: 'string' },
    'max-seconds': { type: 'string' },
    json: { type: 'boolean' },
  },
});
const seed = Number(values.seed ?? 13);
const kills = Number(values.kills ?? 200);
mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
const workerEntry = await bundleWorker();
if (!values.json) console.log(`fault suite: seed ${seed}, ${kills} kills (${process.env.NANOVLM_FAULTS_TSX ? 'tsx' : 'bundled'} worker)`);
const report = await runFaultSuite({
  seed,
  kills,
  damageEvery: Number(values['damage-every'] ?? 20),
  maxSeconds: values['max-seconds'] ? Number(values['max-seconds']) : undefined,
  workerEntry,
  onLine: values.json ? undefined : (line) => console.log(line),
});
const failed = failures(report);
if (values.json) console.log(JSON.stringify({ ...report, failures: failed }, null, 2));
else {
  console.log(`\n${reportTable(report)}\n`);
  for (const d of report.damages) console.log(`  ${d.damage.kind} (${d.damage.path}): ${d.outcome}: ${d.detail.slice(0, 240)}`);
  if (failed.length)
    console.log(
      `\nFAILED:\n${failed
        .slice(0, 40)
        .map((f) => `  ${f}`)
        .join('\n')}`,
    );
  else console.log('\nok: nothing acknowledged was lost, nothing half-written was visible, no damage went unnoticed');
}
process.exit(failed.length || report.kills < kills ? 1 : 0);
