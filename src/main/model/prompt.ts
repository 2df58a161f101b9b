// What the language model reads: each family's prompt format (docs/nanovlm.md, "Families"), the image
// placeholder string, and the label masks of training (docs/nanovlm.md, "Training objective"). Shared by the
// runtime and the trainer, so inference sees byte-for-byte what training saw.
//
// Every sequence is built from segments (text that is, or is not, a training target) that are
// tokenised one by one and concatenated, so a label boundary always falls on a token boundary.
import { Template } from '@huggingface/jinja';
import type { ModelSpec, NanoVLMConfig } from './config';
import { checkImageCount, cutsTiles, imagesBeforeText, usesChatTemplate, type Grid } from './family';
import type { NanoVLMTokenizer } from './tokenizer';

/** The label of positions that are not trained on (PyTorch's cross-entropy ignore_index). */
export const IGNORE_INDEX = -100;

/** One question and its answer (the Hub's VQA convention: `texts: [{user, assistant}]`). */
export interface Turn {
  user: string;
  /** absent only on the last turn of a generation prompt: the answer the model is to write */
  assistant?: string;
}

export interface Conversation {
  texts: readonly Turn[];
  /** one grid per image, in the order the images' tiles are given to the vision encoder */
  imageGrids: readonly Grid[];
  /**
   * Instructions before the conversation (a chat's system prompt). split: the template's system
   * turn; prefix and inline, which have no roles: the text on its own line before the first question.
   */
  system?: string;
}

export interface TrainingSequence {
  inputIds: number[];
  /** labels[t] = inputIds[t] where position t is a target (answer tokens and the end token after them), else IGNORE_INDEX */
  labels: number[];
  /** labels shifted left by one, as nanoVLM trains: targets[t] is what position t must predict; the last is IGNORE_INDEX */
  targets: number[];
}

export class PromptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptError';
  }
}

interface Segment {
  /** text tokenised on its own */
  text?: string;
  /** ids taken as they are (the eos token) */
  ids?: number[];
  target: boolean;
}

/**
 * The prompt ids for generation: every turn but the last answered, the last one a question; the
 * model continues after the returned ids. Prefix family: the image embeddings go BEFORE these ids
 * (no placeholders); inline and split: the placeholders are inside.
 */
export function buildGenerationIds(spec: ModelSpec, tokenizer: NanoVLMTokenizer, conversation: Conversation): number[] {
  checkTurns(conversation.texts, 'generation');
  return encodeSegments(tokenizer, segmentsFor(spec, tokenizer, conversation, true)).inputIds;
}

/**
 * One training sample: ids and labels per docs/nanovlm.md, "Training objective". Every turn must be answered.
 * Prefix family: the sequence holds text only; the trainer puts the image positions (labelled
 * IGNORE_INDEX) before it.
 */
export function buildTrainingSequence(spec: ModelSpec, tokenizer: NanoVLMTokenizer, conversation: Conversation): TrainingSequence {
  checkTurns(conversation.texts, 'training');
  const { inputIds, labels } = encodeSegments(tokenizer, segmentsFor(spec, tokenizer, conversation, false));
  return { inputIds, labels, targets: shiftLabels(labels) };
}

/** nanoVLM's shift: targets[t] = labels[t + 1], the last one IGNORE_INDEX. */
export function shiftLabels(labels: readonly number[]): number[] {
  return labels.map((_, t) => (t + 1 < labels.length ? labels[t + 1]! : IGNORE_INDEX));
}

/**
 * The placeholder string of the images (empty for the prefix family).
 * inline: `<|image|>` × L per image. split: per image `<|global_image|>` + `<|image|>` × L, then,
 * unless the grid is 1×1, `<row_i_col_j>` + `<|image|>` × L per tile in row-major order; with
 * several images each one's string is preceded by `<image: {idx}>`.
 */
export function imageString(spec: ModelSpec, grids: readonly Grid[]): string {
  const { family, config } = spec;
  const image = config.vlm_extra_tokens.image_token ?? '<|image|>';
  const block = image.repeat(config.mp_image_token_length);
  if (imagesBeforeText(family)) return '';
  if (!cutsTiles(family)) return block.repeat(grids.length);
  return grids.map((grid, idx) => (grids.length > 1 ? `<image: ${idx}>` : '') + splitImageString(config, grid, block)).join('');
}

function splitImageString(config: NanoVLMConfig, [rows, cols]: Grid, block: string): string {
  const extra = config.vlm_extra_tokens;
  const global = extra.global_image_token;
  if (global === undefined) throw new PromptError('vlm_extra_tokens: the split family needs "global_image_token"');
  let text = global + block;
  if (rows === 1 && cols === 1) return text;
  for (let r = 1; r <= rows; r++) {
    for (let c = 1; c <= cols; c++) {
      const tile = extra[`r${r}c${c}`];
      if (tile === undefined) throw new PromptError(`vlm_extra_tokens: no token "r${r}c${c}" for a ${rows}×${cols} grid`);
      text += tile + block;
    }
  }
  return text;
}

function checkTurns(texts: readonly Turn[], purpose: 'generation' | 'training'): void {
  if (texts.length === 0) throw new PromptError('conversation: expected at least one turn, got none');
  texts.forEach((turn, i) => {
    const last = i === texts.length - 1;
    const answered = turn.assistant !== undefined;
    if (purpose === 'training' && !answered) throw new PromptError(`conversation turn ${i}: training needs an answer (assistant), got none`);
    if (purpose === 'generation' && last && answered) throw new PromptError(`conversation turn ${i}: the last turn of a generation prompt must have no answer`);
    if (purpose === 'generation' && !last && !answered) throw new PromptError(`conversation turn ${i}: only the last turn may lack an answer`);
  });
}

function segmentsFor(spec: ModelSpec, tokenizer: NanoVLMTokenizer, conversation: Conversation, generation: boolean): Segment[] {
  if (usesChatTemplate(spec.family)) return chatSegments(spec, tokenizer, conversation, generation);
  return questionAnswerSegments(spec, tokenizer, conversation);
}

/**
 * prefix and inline: `Question: {q} Answer:` then the answer and the eos token. The placeholders
 * (inline) come first. Several turns (a studio extension: nanoVLM trained these single-turn) are
 * written one after the other in the same form.
 */
function questionAnswerSegments(spec: ModelSpec, tokenizer: NanoVLMTokenizer, conversation: Conversation): Segment[] {
  try {
    checkImageCount(spec.family, conversation.imageGrids.length);
  } catch (err) {
    throw new PromptError((err as Error).message);
  }
  const segments: Segment[] = [{ text: imageString(spec, conversation.imageGrids), target: false }];
  if (conversation.system) segments.push({ text: `${conversation.system}\n`, target: false });
  for (const turn of conversation.texts) {
    segments.push({ text: `Question: ${turn.user} Answer:`, target: false });
    if (turn.assistant === undefined) continue;
    segments.push({ text: turn.assistant, target: true }, { ids: [tokenizer.eosTokenId], target: true });
  }
  return segments;
}

interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** split: the chat template, the image string prepended to the first user turn. */
function chatSegments(spec: ModelSpec, tokenizer: NanoVLMTokenizer, conversation: Conversation, generation: boolean): Segment[] {
  const templateText = spec.config.lm_chat_template ?? tokenizer.chatTemplate;
  if (templateText === undefined)
    throw new PromptError('config.json: the split family needs lm_chat_template (and tokenizer_config.json has no chat_template)');
  const render = chatRenderer(templateText, tokenizer);
  const messages = chatMessages(spec, conversation);
  const segments: Segment[] = [];
  let rendered = '';
  messages.forEach((message, k) => {
    const next = render(messages.slice(0, k + 1), false);
    const piece = suffixAfter(rendered, next);
    if (message.role === 'assistant') {
      const header = assistantHeader(render, messages.slice(0, k), rendered);
      if (!piece.startsWith(header)) throw new PromptError('chat template: an assistant turn does not start with its header');
      segments.push({ text: header, target: false }, { text: piece.slice(header.length), target: true });
    } else {
      segments.push({ text: piece, target: false });
    }
    rendered = next;
  });
  if (generation) segments.push({ text: suffixAfter(rendered, render(messages, true)), target: false });
  return segments;
}

function chatMessages(spec: ModelSpec, conversation: Conversation): ChatMessage[] {
  const images = imageString(spec, conversation.imageGrids);
  const system: ChatMessage[] = conversation.system ? [{ role: 'system', content: conversation.system }] : [];
  return system.concat(
    conversation.texts.flatMap((turn, i): ChatMessage[] => {
      const user: ChatMessage = { role: 'user', content: (i === 0 ? images : '') + turn.user };
      return turn.assistant === undefined ? [user] : [user, { role: 'assistant', content: turn.assistant }];
    }),
  );
}

type Render = (messages: ChatMessage[], addGenerationPrompt: boolean) => string;

function chatRenderer(templateText: string, tokenizer: NanoVLMTokenizer): Render {
  let template: Template;
  try {
    template = new Template(templateText);
  } catch (err) {
    throw new PromptError(`lm_chat_template: not a valid Jinja template (${(err as Error).message})`);
  }
  const bos = tokenizer.tokenizerConfig.bos_token;
  return (messages, addGenerationPrompt) =>
    template.render({
      messages,
      add_generation_prompt: addGenerationPrompt,
      eos_token: tokenizer.eosToken,
      bos_token: typeof bos === 'string' ? bos : '',
    });
}

/** The text the template puts before an assistant answer (`<|im_start|>assistant\n`), found with a sentinel answer. */
function assistantHeader(render: Render, before: ChatMessage[], renderedBefore: string): string {
  const sentinel = '\u0000nanovlm-answer\u0000';
  const piece = suffixAfter(renderedBefore, render([...before, { role: 'assistant', content: sentinel }], false));
  const at = piece.indexOf(sentinel);
  if (at < 0) throw new PromptError('chat template: the assistant answer does not appear in the rendered text');
  return piece.slice(0, at);
}

/** What `longer` adds to `prefix`; the chat template must render a conversation as the concatenation of its turns. */
function suffixAfter(prefix: string, longer: string): string {
  if (!longer.startsWith(prefix)) throw new PromptError('chat template: rendering one more turn changed the text of the earlier turns');
  return longer.slice(prefix.length);
}

function encodeSegments(tokenizer: NanoVLMTokenizer, segments: Segment[]): { inputIds: number[]; labels: number[] } {
  const inputIds: number[] = [];
  const labels: number[] = [];
  for (const segment of segments) {
    const ids = segment.ids ?? tokenizer.encode(segment.text ?? '');
    for (const id of ids) {
      inputIds.push(id);
      labels.push(segment.target ? id : IGNORE_INDEX);
    }
  }
  return { inputIds, labels };
}
