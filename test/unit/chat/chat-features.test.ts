// What people expect of a chat, through the core with a real fixture model: an answer added to a
// dataset brings the conversation it answered (the second turn of a chat with two photos), answers
// kept as variants on regenerate, a system prompt, rename, search and export, side-by-side pairs,
// and honest endings (the context full; a question too long for the model).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDetail, ChatExport, ChatMessage, ChatSendResult, ChatSummary, SamplePreview } from '../../../src/shared/chat';
import type { Sample } from '../../../src/shared/datasets';
import type { ModelInfo } from '../../../src/shared/models';
import { photo } from '../../helpers/data-fixtures';
import { startTestCore, type TestCore } from '../../helpers/test-core';

describe('chat features', () => {
  let t: TestCore;
  let model: ModelInfo;
  let photoA: string;
  let photoB: string;
  const call = <T>(method: string, input: unknown) => t.call<T>(method, input);
  const ended = (messageId: number) => t.answerEnded(messageId);

  async function ask(text: string, extra: Record<string, unknown> = {}): Promise<{ sent: ChatSendResult; answer: ChatMessage }> {
    const sent = await call<ChatSendResult>('chat.send', { modelId: model.id, text, settings: { greedy: true, maxNewTokens: 3 }, ...extra });
    return { sent, answer: await ended(sent.assistantMessage.id) };
  }

  beforeAll(async () => {
    t = startTestCore();
    model = await t.addFixtureModel('split');
    photoA = (await call<{ id: string }>('images.add', { dataBase64: photo('chelsea.png').toString('base64') })).id;
    photoB = (await call<{ id: string }>('images.add', { dataBase64: photo('coffee.png').toString('base64') })).id;
  });

  afterAll(() => t?.close());

  it('adds the second answer of a chat as the whole conversation (both photos, both turns), or as its turn alone', async () => {
    const first = await ask('What animal is this?', { imageIds: [photoA] });
    await call('chat.feedback', { messageId: first.answer.id, correctedText: 'A cat.' });
    const second = await ask('And what drink is this?', { chatId: first.sent.chat.id, imageIds: [photoB] });
    await call('chat.feedback', { messageId: second.answer.id, correctedText: 'Coffee.' });

    const whole = await call<SamplePreview>('chat.samplePreview', { messageId: second.answer.id });
    expect(whole).toEqual({
      imageIds: [photoA, photoB],
      turns: [
        { user: 'What animal is this?', assistant: 'A cat.', origin: 'person' },
        { user: 'And what drink is this?', assistant: 'Coffee.', origin: 'person' },
      ],
    });
    const turn = await call<SamplePreview>('chat.samplePreview', { messageId: second.answer.id, scope: 'turn' });
    expect(turn).toEqual({ imageIds: [photoB], turns: [{ user: 'And what drink is this?', assistant: 'Coffee.', origin: 'person' }] });

    const dataset = await call<{ id: number }>('datasets.create', { name: 'two turns' });
    const sample = await call<Sample>('chat.toSample', { messageId: second.answer.id, datasetId: dataset.id });
    expect(sample.images.map((i) => i.id)).toEqual([photoA, photoB]);
    expect(sample.turns.map((t) => [t.user, t.assistant])).toEqual([
      ['What animal is this?', 'A cat.'],
      ['And what drink is this?', 'Coffee.'],
    ]);
    expect(sample.status).toBe('review');
  });

  it('keeps every answer of a regenerated question as a variant, shows one at a time, and goes back to any', async () => {
    const { sent, answer } = await ask('What is this?', { imageIds: [photoA] });
    const second = await call<ChatMessage>('chat.regenerate', { messageId: answer.id, settings: { greedy: false, seed: 5, temperature: 1.5 } });
    await ended(second.id);
    const third = await call<ChatMessage>('chat.regenerate', { messageId: second.id, settings: { greedy: false, seed: 9, temperature: 1.5 } });
    await ended(third.id);
    let detail = await call<ChatDetail>('chat.get', { chatId: sent.chat.id });
    expect(detail.messages).toHaveLength(2);
    expect(detail.messages[1]!.id).toBe(third.id);
    expect(detail.messages[1]!.variant).toEqual({ index: 3, count: 3, ids: [answer.id, second.id, third.id] });
    expect(detail.messageCount).toBe(2);

    const back = await call<ChatMessage>('chat.showVariant', { messageId: answer.id });
    expect(back.variant).toMatchObject({ index: 1, count: 3 });
    detail = await call<ChatDetail>('chat.get', { chatId: sent.chat.id });
    expect(detail.messages.map((m) => m.id)).toEqual([detail.messages[0]!.id, answer.id]);
    expect(detail.messages[1]!.text).toBe(answer.text);

    // a follow-up builds on the answer shown; the earlier answer's variants can no longer be switched
    const next = await ask('Say more.', { chatId: sent.chat.id });
    expect(next.answer.status).toBe('done');
    await expect(call('chat.showVariant', { messageId: second.id })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('keeps a system prompt per chat, and renames, searches and exports chats', async () => {
    const { sent, answer } = await ask('Which colour is the mug?', { imageIds: [photoB], systemPrompt: 'Answer in one word.' });
    expect(answer.status).toBe('done');
    expect(sent.chat.systemPrompt).toBe('Answer in one word.');
    const renamed = await call<ChatSummary>('chat.update', { chatId: sent.chat.id, title: 'Mug colours', systemPrompt: 'Answer in two words.' });
    expect(renamed).toMatchObject({ title: 'Mug colours', systemPrompt: 'Answer in two words.' });
    await expect(call('chat.update', { chatId: sent.chat.id, title: '  ' })).rejects.toMatchObject({ code: 'invalid_input', field: 'title' });

    expect((await call<ChatSummary[]>('chat.list', { query: 'mug' })).map((c) => c.id)).toEqual([sent.chat.id]);
    expect((await call<ChatSummary[]>('chat.list', { query: 'WHICH COLOUR' })).map((c) => c.id)).toEqual([sent.chat.id]);
    expect(await call<ChatSummary[]>('chat.list', { query: 'no such words 100%' })).toEqual([]);

    const json = await call<ChatExport>('chat.export', { chatId: sent.chat.id, format: 'json' });
    expect(json).toMatchObject({ fileName: 'mug-colours.json', mimeType: 'application/json' });
    const parsed = JSON.parse(json.content) as { chat: ChatDetail };
    expect(parsed.chat.messages.map((m) => m.text)).toEqual(['Which colour is the mug?', answer.text]);
    expect(parsed.chat.systemPrompt).toBe('Answer in two words.');
    const md = await call<ChatExport>('chat.export', { chatId: sent.chat.id, format: 'markdown' });
    expect(md.fileName).toBe('mug-colours.md');
    expect(md.content).toMatch(/^# Mug colours\n/);
    expect(md.content).toContain('> Answer in two words.');
    expect(md.content).toContain('![Photo 1](data:image/webp;base64,');
    expect(md.content).toContain('Which colour is the mug?');
  });

  it('links the two chats of a side-by-side comparison; deleting one side leaves the other on its own', async () => {
    const left = await ask('What is it?', { imageIds: [photoA] });
    const right = await ask('What is it?', { imageIds: [photoA], pairWith: left.sent.chat.id });
    expect(right.sent.chat.pairedChatId).toBe(left.sent.chat.id);
    expect((await call<ChatDetail>('chat.get', { chatId: left.sent.chat.id })).pairedChatId).toBe(right.sent.chat.id);
    await expect(call('chat.send', { chatId: left.sent.chat.id, modelId: model.id, text: 'x', pairWith: right.sent.chat.id })).rejects.toMatchObject({
      field: 'pairWith',
    });
    await call('chat.delete', { chatId: right.sent.chat.id });
    const ids = (await call<ChatSummary[]>('chat.list', {})).map((c) => c.id);
    expect(ids).not.toContain(right.sent.chat.id);
    expect(ids).toContain(left.sent.chat.id);
    expect((await call<ChatDetail>('chat.get', { chatId: left.sent.chat.id })).pairedChatId).toBeUndefined();
  });

  it('says when an answer ended because the context was full, and what to do about a question too long', async () => {
    const { answer } = await ask('Tell me everything.', { imageIds: [photoA], settings: { greedy: false, temperature: 1, seed: 4, maxNewTokens: 4096 } });
    // seed 4: the fixture model writes until its 512 positions are full (no end token)
    expect(answer.status).toBe('done');
    expect(answer.stats!.stopReason).toBe('context_length');
    expect(answer.stats!.promptPositions! + answer.stats!.tokens).toBe(512);
    expect(answer.stats!.totalMs).toBeGreaterThan(0);
    const long = await ask('why '.repeat(4000).trim(), { imageIds: [photoA] });
    expect(long.answer.status).toBe('failed');
    expect(long.answer.error).toMatch(/shorten the question/);
    expect(long.answer.error).not.toMatch(/fewer or smaller/);
  });
});
