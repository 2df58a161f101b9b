// The API contract's own rules: an input is parsed once, at the door, and handlers are typed on
// what that parse gives them; a settings change leaves the other settings alone; every failure
// has a code from one list, decided where it is thrown.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { parseMethodInput, type MethodInput, type ParsedInput } from '../../../src/shared/api';
import { DEFAULT_GENERATION_SETTINGS, changeSettings } from '../../../src/shared/chat';
import { answerResult, ApiError, asApiError, ERROR_CODES, failedAnswer, HTTP_STATUS } from '../../../src/shared/errors';
import { DEFAULT_PRESET, type RunSettings } from '../../../src/shared/runs';
import type { Handlers } from '../../../src/main/core/handlers';
import { DatasetNameTakenError, UnknownDatasetError } from '../../../src/main/data/dataset-repo';
import { UnknownImageError } from '../../../src/main/data/images/image-store';
import { UnknownSampleError } from '../../../src/main/data/samples/sample-repo';
import { REPO_ROOT } from '../../helpers/studio-server';

const SHARED = join(REPO_ROOT, 'src', 'shared');
const MAIN = join(REPO_ROOT, 'src', 'main');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

describe('inputs are parsed once, at the door', () => {
  it('types each handler on the parsed input (defaults filled in), not on what callers send', () => {
    expectTypeOf<Parameters<Handlers['runs.start']>[0]>().toEqualTypeOf<ParsedInput<'runs.start'>>();
    expectTypeOf<ParsedInput<'runs.start'>>().toEqualTypeOf<RunSettings>();
    expectTypeOf<ParsedInput<'runs.start'>['preset']>().not.toBeNullable();
    expectTypeOf<MethodInput<'runs.start'>['preset']>().toBeNullable();
    expectTypeOf<ParsedInput<'chat.send'>['imageIds']>().toEqualTypeOf<string[]>();
    expectTypeOf<ParsedInput<'datasets.draftAnswers'>['defaultQuestion']>().toEqualTypeOf<string>();
  });

  it('fills in the defaults at the door', () => {
    const run = parseMethodInput('runs.start', { datasetId: 1, baseModelId: 'demo' });
    expect(run).toMatchObject({ preset: DEFAULT_PRESET, batchSize: 4, maxSteps: 200, seed: 0 });
    expect(parseMethodInput('chat.send', { modelId: 'demo', text: 'hi' }).imageIds).toEqual([]);
  });

  it('has no schema from src/shared parsed again in the core (the command line is a door of its own)', async () => {
    const schemaNames = new Set<string>(['methodInputs']);
    for (const file of sourceFiles(SHARED)) {
      const module = (await import(file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) if (value instanceof z.ZodType) schemaNames.add(name);
    }
    expect(schemaNames).toContain('runStartSchema');
    const parse = new RegExp(`\\b(${[...schemaNames].join('|')})(\\[[^\\]]*\\])?\\.(safeParse|parse|parseAsync|safeParseAsync)\\(`);
    const offenders = sourceFiles(MAIN)
      .filter((file) => !relative(MAIN, file).startsWith('cli'))
      .filter((file) => parse.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO_ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('takes a settings change as it is: the settings it leaves out are not reset to their defaults', () => {
    const draft = parseMethodInput('datasets.draftAnswers', { selection: { datasetId: 1, ids: [1] }, modelId: 'demo', settings: { maxNewTokens: 4 } });
    expect(draft.settings).toEqual({ maxNewTokens: 4 });
    const regenerate = parseMethodInput('chat.regenerate', { messageId: 1, settings: { quant: 'int8' } });
    expect(regenerate.settings).toEqual({ quant: 'int8' });
    const before = { ...DEFAULT_GENERATION_SETTINGS, greedy: true, temperature: 0.2 };
    expect(changeSettings(before, regenerate.settings)).toEqual({ ...before, quant: 'int8' });
    expect(changeSettings(before, { temperature: undefined })).toEqual(before);
    expect(() => parseMethodInput('chat.regenerate', { messageId: 1, settings: { temperature: 9 } })).toThrow(/field "settings.temperature"/);
  });
});

describe('failures have a code from one list', () => {
  it('gives every code an HTTP status and keeps the list the only source of codes', () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(new ApiError(code, 'x').status).toBe(HTTP_STATUS[code]);
  });

  it("has the stores' errors carry their own code, whatever their class is called", () => {
    expect(new UnknownDatasetError(3)).toMatchObject({ code: 'not_found', name: 'UnknownDatasetError' });
    expect(new UnknownSampleError(3)).toMatchObject({ code: 'not_found' });
    expect(new UnknownImageError('ab')).toMatchObject({ code: 'not_found' });
    expect(new DatasetNameTakenError('x')).toMatchObject({ code: 'conflict', status: 409 });
    for (const err of [new UnknownDatasetError(3), new DatasetNameTakenError('x')]) expect(err).toBeInstanceOf(ApiError);
    // a name is not a code: an error that is not an ApiError is an internal failure
    const lookalike = Object.assign(new Error('no such thing'), { name: 'UnknownThingError' });
    expect(asApiError(lookalike, 'things.get')).toMatchObject({ code: 'internal', message: 'things.get: no such thing' });
    expect(asApiError(new DOMException('stopped', 'AbortError'))).toMatchObject({ code: 'cancelled' });
  });

  it('sends a failure in one shape and reads it back the same way', () => {
    const answer = failedAnswer(new ApiError('invalid_input', 'field "path": must be an absolute path', 'path'));
    expect(answer).toEqual({ ok: false, error: { code: 'invalid_input', message: 'field "path": must be an absolute path', field: 'path' } });
    expect(failedAnswer(new Error('boom'))).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
    expect(() => answerResult(answer)).toThrow(expect.objectContaining({ code: 'invalid_input', field: 'path' }));
    expect(answerResult({ ok: true, result: 7 })).toBe(7);
  });
});
