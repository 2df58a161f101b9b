// `nanovlm check-step` prints the three numbers the golden fixtures record.
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/main/cli/index';
import { onWebGpu, WEBGPU_AVAILABLE } from '../../helpers/webgpu';
import { expectedFile, fixtureDir, goldenCase } from './fixtures';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('nanovlm check-step', () => {
  it('prints loss, grad_norm and loss_after_step as JSON matching the fixture', async () => {
    const { code, out, err } = await run([
      'check-step',
      '--model',
      fixtureDir('split'),
      '--inputs',
      expectedFile('split'),
      '--lr-mp',
      '1e-2',
      '--lr-vision',
      '1e-3',
      '--lr-language',
      '1e-3',
    ]);
    expect(code, err).toBe(0);
    const result = JSON.parse(out) as { loss: number; grad_norm: number; loss_after_step: number };
    const golden = goldenCase('split').train_step;
    expect(Object.keys(result)).toEqual(['loss', 'grad_norm', 'loss_after_step']);
    expect(Math.abs(result.loss - golden.loss)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(result.grad_norm / golden.grad_norm_before_clip - 1)).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(result.loss_after_step - golden.loss_after_one_step)).toBeLessThanOrEqual(1e-3);
  });

  it('fails in one line on a missing model or a bad option', async () => {
    const missing = await run(['check-step', '--model', '/nonexistent', '--inputs', expectedFile('split')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/not a nanoVLM checkpoint folder/);
    const bad = await run(['check-step', '--model', fixtureDir('split'), '--inputs', expectedFile('split'), '--lr-mp', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--lr-mp/);
    const provider = await run(['check-step', '--model', fixtureDir('split'), '--inputs', expectedFile('split'), '--engine', 'wasm', '--provider', 'cpu']);
    expect(provider.code).toBe(2);
    expect(provider.err).toMatch(/--provider is for the onnxruntime engine, not wasm/);
  });

  it.skipIf(!WEBGPU_AVAILABLE)(onWebGpu('takes a step on the provider asked for'), async () => {
    const { code, out, err } = await run(['check-step', '--model', fixtureDir('split'), '--inputs', expectedFile('split'), '--provider', 'webgpu']);
    expect(code, err).toBe(0);
    expect(err).toMatch(/engine: onnxruntime \(ONNX Runtime training graphs, webgpu provider/);
    const golden = goldenCase('split').train_step;
    expect(Math.abs(JSON.parse(out).loss - golden.loss)).toBeLessThanOrEqual(1e-4);
  });
});
