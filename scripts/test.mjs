// npm test: the layout (Prettier's check), typecheck (tsc, svelte-check), build the renderer, then the unit/integration tests, the
// slow proofs and the end-to-end tests (Chromium), the skipped tests by name (each name says where it
// runs), and one closing line "tests: N passed, N failed, N skipped".
// Any failing step fails the whole run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRenderer } from './build-renderer.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];
/** "project: file > test" of every skipped test; their names say where they run */
const skippedTests = [];

function step(name, fn) {
  const t0 = Date.now();
  console.log(`\n== ${name}`);
  let ok;
  try {
    ok = fn() !== false;
  } catch (err) {
    console.error(err.message);
    ok = false;
  }
  console.log(`== ${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (!ok) failedSteps.push(name);
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return result.status === 0;
}

function skippedIn(report, project) {
  return report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((t) => ['skipped', 'pending', 'todo'].includes(t.status))
      .map((t) => `${project}: ${relative(root, file.name)} > ${t.fullName}`),
  );
}

function vitest(project) {
  mkdirSync(`${root}/test-results`, { recursive: true });
  const report = `test-results/vitest-${project}.json`;
  const ok = run(['node_modules/vitest/vitest.mjs', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  try {
    const json = JSON.parse(readFileSync(`${root}/${report}`, 'utf8'));
    totals.passed += json.numPassedTests;
    totals.failed += json.numFailedTests;
    totals.skipped += json.numPendingTests + json.numTodoTests;
    skippedTests.push(...skippedIn(json, project));
    if (json.numTotalTests === 0) {
      console.error(`no ${project} tests ran`);
      return false;
    }
  } catch {
    console.error(`no test report from the ${project} tests`);
    return false;
  }
  return ok;
}

step('layout (prettier --check; npm run format fixes it)', () =>
  run(['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '**/*.{ts,mjs,js,cjs,svelte,css,html}']),
);
step('typecheck (tsc)', () => run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']));
step('typecheck (svelte-check)', () =>
  run(['node_modules/svelte-check/bin/svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'warning', '--fail-on-warnings', '--output', 'human']),
);
step('build the renderer', () => buildRenderer());
step('unit and integration tests', () => vitest('unit'));
step('slow proofs (training learns)', () => vitest('slow'));
if (process.env.NANOVLM_SKIP_E2E === '1') console.log('\n== end-to-end tests SKIPPED on purpose (NANOVLM_SKIP_E2E=1)');
else step('end-to-end tests (Chromium)', () => vitest('e2e'));

if (skippedTests.length) console.log(`\nSkipped here:\n${skippedTests.map((t) => `  ${t}`).join('\n')}`);
console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(0)} s.${failedSteps.length ? ` Failed steps: ${failedSteps.join(', ')}.` : ''}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
