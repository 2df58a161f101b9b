// A small seeded sample of the fault-injection suite (npm run test:faults runs 200+ kills): the
// studio killed at random points of its work and restarted, files damaged; nothing acknowledged
// may be lost, nothing half-written may be visible, no damage may go unnoticed.
import { expect, it } from 'vitest';
import { bundleWorker } from '../../faults/bundle-worker';
import { failures, reportTable, runFaultSuite } from '../../faults/fault-suite';

it('loses nothing it acknowledged through 12 seeded kills and a damaged file of each kind', async () => {
  const report = await runFaultSuite({ seed: 2, kills: 12, damageEvery: 4, workerEntry: await bundleWorker() });
  console.log(reportTable(report));
  expect(failures(report)).toEqual([]);
  expect(report.kills).toBeGreaterThanOrEqual(12);
  expect(report.damages.map((d) => d.damage.kind)).toEqual(expect.arrayContaining(['database page', 'stored image', 'exported image', 'checkpoint']));
  expect(report.damages.every((d) => d.outcome !== 'unnoticed')).toBe(true);
}, 600_000);
