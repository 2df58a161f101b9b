// The sample an answer becomes, from the conversation the model saw when it answered: every photo
// (the prompt puts them all before the first question) and every turn up to the answer, each
// answer as the person left it (a correction replaces the model's text). "turn" takes only the
// answer's own question, with its own photos (or, when it brought none, the photos it asked about).
import { ApiError } from '../../shared/api';
import type { ChatMessage, SamplePreview, SampleScope } from '../../shared/chat';

export function sampleFromChat(messages: readonly ChatMessage[], messageId: number, scope: SampleScope): SamplePreview {
  const index = messages.findIndex((m) => m.id === messageId);
  const answer = messages[index];
  if (!answer) throw new ApiError('not_found', `no answer ${messageId} in this conversation (a hidden variant cannot be added: show it first)`, 'messageId');
  if (answer.role !== 'assistant') throw new ApiError('invalid_input', 'choose an answer to add to a dataset', 'messageId');
  if (answer.status === 'failed') throw new ApiError('invalid_input', 'this answer failed: there is nothing to add', 'messageId');
  const before = messages.slice(0, index);
  const question = before.findLast((m) => m.role === 'user');
  if (!question) throw new ApiError('invalid_input', 'this answer has no question before it', 'messageId');
  const preview = scope === 'turn' ? turnOnly(before, question, answer) : wholeConversation(before, answer);
  if (preview.imageIds.length === 0) throw new ApiError('invalid_input', 'a sample needs at least one photo; this conversation has none', 'messageId');
  return preview;
}

function turnOnly(before: readonly ChatMessage[], question: ChatMessage, answer: ChatMessage): SamplePreview {
  const imageIds = question.imageIds.length ? question.imageIds : before.flatMap((m) => m.imageIds);
  return { imageIds: [...imageIds], turns: [turnOf(question, answer)] };
}

function wholeConversation(before: readonly ChatMessage[], answer: ChatMessage): SamplePreview {
  const turns: SamplePreview['turns'] = [];
  let question: ChatMessage | undefined;
  for (const m of before) {
    if (m.role === 'user') question = m;
    else if (question && m.status !== 'failed') {
      turns.push(turnOf(question, m));
      question = undefined;
    }
  }
  // a question whose answer failed is left out, as the prompt left it out; its photos stay
  turns.push(
    turnOf(
      before.findLast((m) => m.role === 'user')!,
      answer,
    ),
  );
  return { imageIds: before.flatMap((m) => m.imageIds), turns };
}

function turnOf(question: ChatMessage, answer: ChatMessage): SamplePreview['turns'][number] {
  const corrected = answer.correctedText !== undefined && answer.correctedText !== answer.text;
  return {
    user: question.text,
    assistant: answer.correctedText ?? answer.text,
    origin: corrected ? 'person' : 'model',
    ...(corrected || !answer.modelId ? {} : { model: answer.modelId }),
  };
}
