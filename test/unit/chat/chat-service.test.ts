// Chat through the core: a real ONNX export of a fixture model, answers streamed as events, stop,
// regenerate, feedback, and the corrected answer added to a dataset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, ChatPrefilled, ChatSendResult } from '../../../src/shared/chat';
import type { Job } from '../../../src/shared/jobs';
import type { ModelInfo } from '../../../src/shared/models';
import type { Sample } from '../../../src/shared/datasets';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { photo } from '../../helpers/data-fixtures';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';

describe('chat', () => {
  const temp = makeTempDir();
  let core: StudioCore;
  let model: ModelInfo;
  let imageId: string;
  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;

  const ended = (messageId: number) =>
    new Promise<ChatMessage>((resolve) => {
      const stop = core.events.on('chat.message', (m) => {
        if (m.id === messageId && m.status !== 'streaming') {
          stop();
          resolve(m);
        }
      });
    });

  beforeAll(async () => {
    core = createStudioCore({ dataDir: temp.path, door: 'web' });
    const job = await call<Job>('models.add', { reference: fixtureModelFolder('split') });
    model = (await core.jobs.settled(job.id)).result as ModelInfo;
    imageId = (await call<{ id: string }>('images.add', { dataBase64: photo('chelsea.png').toString('base64') })).id;
  });

  afterAll(() => {
    core.close();
    temp.remove();
  });

  it('streams an answer about a photo and reports its speed', async () => {
    const deltas: string[] = [];
    core.events.on('chat.delta', (d) => deltas.push(d.delta));
    const sent = await call<ChatSendResult>('chat.send', {
      modelId: model.id,
      text: 'What is in this photo?',
      imageIds: [imageId],
      settings: { greedy: true, maxNewTokens: 8 },
    });
    expect(sent.assistantMessage.status).toBe('streaming');
    const answer = await ended(sent.assistantMessage.id);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe('done');
    expect(answer.stats!.tokens).toBeGreaterThan(0);
    expect(answer.stats!.ttftMs).toBeGreaterThan(0);
    expect(deltas.join('')).toBe(answer.text);
    const detail = await call<{ messages: ChatMessage[] }>('chat.get', { chatId: sent.chat.id });
    expect(detail.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('continues the conversation, stops mid-answer, and regenerates', async () => {
    const first = await call<ChatSendResult>('chat.send', {
      modelId: model.id,
      text: 'Describe it.',
      imageIds: [imageId],
      settings: { greedy: true, maxNewTokens: 4 },
    });
    await ended(first.assistantMessage.id);
    const second = await call<ChatSendResult>('chat.send', {
      chatId: first.chat.id,
      modelId: model.id,
      text: 'And the colours?',
      settings: { maxNewTokens: 2000, seed: 3 },
    });
    const firstDelta = new Promise<void>((resolve) => {
      const stop = core.events.on('chat.delta', (d) => {
        if (d.messageId === second.assistantMessage.id) {
          stop();
          resolve();
        }
      });
    });
    await firstDelta;
    const meanwhile = await call<{ messages: ChatMessage[] }>('chat.get', { chatId: first.chat.id });
    expect(meanwhile.messages.at(-1)!.status).toBe('streaming');
    expect(meanwhile.messages.at(-1)!.text.length).toBeGreaterThan(0);
    await call('chat.stop', { messageId: second.assistantMessage.id });
    const stopped = await ended(second.assistantMessage.id);
    expect(stopped.status).toBe('stopped');
    const again = await call<ChatMessage>('chat.regenerate', { messageId: stopped.id, settings: { maxNewTokens: 3, greedy: true } });
    expect((await ended(again.id)).status).toBe('done');
    const detail = await call<{ messages: ChatMessage[] }>('chat.get', { chatId: first.chat.id });
    expect(detail.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('turns a corrected answer into a reviewed sample of a dataset', async () => {
    const sent = await call<ChatSendResult>('chat.send', {
      modelId: model.id,
      text: 'What animal is this?',
      imageIds: [imageId],
      settings: { greedy: true, maxNewTokens: 3 },
    });
    const answer = await ended(sent.assistantMessage.id);
    await call('chat.feedback', { messageId: answer.id, rating: 'down', correctedText: 'A cat.' });
    const dataset = await call<{ id: number }>('datasets.create', { name: 'from chat' });
    const sample = await call<Sample>('chat.toSample', { messageId: answer.id, datasetId: dataset.id });
    expect(sample).toMatchObject({
      status: 'review',
      images: [{ id: imageId }],
      turns: [{ user: 'What animal is this?', assistant: 'A cat.', origin: 'person' }],
    });
    const detail = await call<{ messages: ChatMessage[] }>('chat.get', { chatId: sent.chat.id });
    expect(detail.messages.at(-1)!.addedTo).toEqual({ sampleId: sample.id, datasetId: dataset.id });
  });

  it('prefills the photo attached to a question being written: the answer runs only the question and is the one a cold start gives', async () => {
    const prefilled = (slot: string) =>
      new Promise<ChatPrefilled>((resolve) => {
        const stop = core.events.on('chat.prefilled', (p) => {
          if (p.slot === slot) {
            stop();
            resolve(p);
          }
        });
      });
    const coffee = (await call<{ id: string }>('images.add', { dataBase64: photo('coffee.png').toString('base64') })).id;
    const rocket = (await call<{ id: string }>('images.add', { dataBase64: photo('rocket.jpg').toString('base64') })).id;
    const ask = async (imageIds: string[]) =>
      ended(
        (await call<ChatSendResult>('chat.send', { modelId: model.id, text: 'What is on the table?', imageIds, settings: { greedy: true, maxNewTokens: 6 } }))
          .assistantMessage.id,
      );
    const cold = await ask([coffee]);
    await ask([rocket]); // the engine's prompt cache now holds another photo

    // a photo changed at once (a second call for the slot) replaces the first prefill
    const first = prefilled('left');
    const calls = [
      call('chat.prefill', { slot: 'left', modelId: model.id, imageIds: [rocket] }),
      call('chat.prefill', { slot: 'left', modelId: model.id, imageIds: [coffee] }),
    ];
    expect(await Promise.all(calls)).toEqual([{ prefilling: true }, { prefilling: true }]);
    expect((await first).outcome).toBe('cancelled');
    expect(await prefilled('left')).toMatchObject({ outcome: 'done' });
    const warm = await ask([coffee]);
    expect(warm.text).toBe(cold.text);
    expect(warm.stats!.reusedPositions).toBeGreaterThan(cold.stats!.reusedPositions!);
    expect(warm.stats!.promptPositions! - warm.stats!.reusedPositions!).toBeLessThan(40);

    // removing the photos cancels
    const third = prefilled('left');
    const removal = [
      call('chat.prefill', { slot: 'left', modelId: model.id, imageIds: [rocket] }),
      call('chat.prefill', { slot: 'left', modelId: model.id, imageIds: [] }),
    ];
    expect(await Promise.all(removal)).toEqual([{ prefilling: true }, { prefilling: false }]);
    expect((await third).outcome).toBe('cancelled');
    await expect(call('chat.prefill', { slot: 'no spaces allowed', modelId: model.id, imageIds: [coffee] })).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'slot',
    });
    await expect(call('chat.prefill', { slot: 'left', modelId: 'no-such-model', imageIds: [coffee] })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('fails an answer with a clear message when the model cannot take the photos', async () => {
    await expect(call('chat.send', { modelId: model.id, text: 'hi', imageIds: ['f'.repeat(64)] })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('drafting answers with a model', () => {
  const temp = makeTempDir();
  let core: StudioCore;
  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;

  beforeAll(() => {
    core = createStudioCore({ dataDir: temp.path, door: 'web' });
  });
  afterAll(() => {
    core.close();
    temp.remove();
  });

  it('fills the missing answers of a selection as drafts marked with the model, and leaves answered ones alone', async () => {
    const job = await call<Job>('models.add', { reference: fixtureModelFolder('inline'), name: 'tiny inline' });
    const model = (await core.jobs.settled(job.id)).result as ModelInfo;
    const dataset = await call<{ id: number }>('datasets.create', { name: 'to draft' });
    const ids: number[] = [];
    for (const [file, answer] of [
      ['chelsea.png', ''],
      ['coffee.png', ''],
      ['rocket.jpg', 'a rocket'],
    ] as const) {
      const image = await call<{ id: string }>('images.add', { dataBase64: photo(file).toString('base64') });
      ids.push(
        (
          await call<Sample>('samples.create', {
            datasetId: dataset.id,
            sample: { imageIds: [image.id], turns: [{ user: 'What is this?', assistant: answer }] },
          })
        ).id,
      );
    }
    const draft = await call<Job>('datasets.draftAnswers', { selection: { datasetId: dataset.id, ids }, modelId: model.id, settings: { maxNewTokens: 4 } });
    const done = await core.jobs.settled(draft.id);
    expect(done.error).toBeUndefined();
    expect(done.result).toMatchObject({ drafted: 2, answers: 2, skipped: [] });
    const [a, , c] = await Promise.all(ids.map((id) => call<Sample>('samples.get', { id })));
    expect(a).toMatchObject({ status: 'draft', turns: [{ origin: 'model', model: 'tiny inline' }] });
    expect(a!.turns[0]!.assistant.length).toBeGreaterThan(0);
    expect(c!.turns[0]).toMatchObject({ assistant: 'a rocket' });
    expect(c!.status).not.toBe('draft');
  });
});
