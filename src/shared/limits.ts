// Limits shared by every process. Images: larger ones are refused as likely decompression bombs
// (the same bound as Pillow's warning threshold). Texts: every text field has a bound, so that one
// pasted file cannot make a sample (and every page of the grid that shows it) megabytes long.
export const MAX_IMAGE_PIXELS = 89_478_485;

/** One question or answer: room for a long, detailed description (≈ 8,000 tokens of English). */
export const MAX_TURN_TEXT_CHARS = 32_768;
/** Turns in one sample. */
export const MAX_TURNS = 200;
export const MAX_TAG_CHARS = 64;
export const MAX_TAGS = 100;
export const MAX_DATASET_NAME_CHARS = 200;
export const MAX_DESCRIPTION_CHARS = 2000;
export const MAX_NOTE_CHARS = 500;
