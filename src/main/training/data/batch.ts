// One training batch as the model consumes it: token ids and shifted targets (−100 = no label)
// per row, an optional attention mask (1 attend, 0 left padding), and the pixels of every image
// or tile of the batch in order (first row's tiles, then the second's, …).

export interface TrainingBatch {
  /** rows × length, row-major */
  inputIds: Int32Array;
  targets: Int32Array;
  attentionMask?: Int32Array;
  rows: number;
  length: number;
  /** [images, 3, S, S] row-major, RGB in [0, 1] */
  pixelValues: Float32Array;
  imageCount: number;
}

export function checkBatch(batch: TrainingBatch, imageSize: number): void {
  const cells = batch.rows * batch.length;
  if (batch.inputIds.length !== cells || batch.targets.length !== cells) {
    throw new Error(
      `batch of ${batch.rows}×${batch.length}: input ids (${batch.inputIds.length}) and targets (${batch.targets.length}) must both have ${cells} entries`,
    );
  }
  if (batch.attentionMask && batch.attentionMask.length !== cells) {
    throw new Error(`batch of ${batch.rows}×${batch.length}: attention mask has ${batch.attentionMask.length} entries`);
  }
  const perImage = 3 * imageSize * imageSize;
  if (batch.pixelValues.length !== batch.imageCount * perImage) {
    throw new Error(`batch has ${batch.pixelValues.length} pixel values for ${batch.imageCount} images of 3×${imageSize}×${imageSize}`);
  }
}
