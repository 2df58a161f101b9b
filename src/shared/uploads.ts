// Files sent from the person's computer for an import (the browser door cannot read a path on it):
// first the list of files with their sizes, then each file in chunks, then datasets.import.
import { z } from 'zod';

/** raw bytes per uploads.write call (base64 makes it a third larger on the wire) */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
export const MAX_UPLOAD_FILES = 200_000;

export const uploadFileSchema = z.object({
  /** relative, with "/" between folders: "train.jsonl", "photos/cat.jpg" */
  path: z.string().min(1).max(4096),
  bytes: z.number().int().min(0).max(MAX_UPLOAD_BYTES),
});
export type UploadFile = z.infer<typeof uploadFileSchema>;

export const uploadBeginSchema = z.object({ files: z.array(uploadFileSchema).min(1).max(MAX_UPLOAD_FILES) }).strict();
export const uploadWriteSchema = z
  .object({
    uploadId: z.string().uuid(),
    path: z.string().min(1).max(4096),
    offset: z.number().int().min(0).max(MAX_UPLOAD_BYTES),
    dataBase64: z.string().max(Math.ceil((UPLOAD_CHUNK_BYTES * 4) / 3) + 4),
  })
  .strict();
export const uploadIdSchema = z.object({ uploadId: z.string().uuid() }).strict();
