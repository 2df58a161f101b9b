// Files from the person's computer sent to the studio for an import (uploads.*): the list first,
// then each file in chunks, with progress in bytes and a way to stop. Works behind both doors.
// Folders come from <input webkitdirectory> (webkitRelativePath) or from a drop (directory entries).
import { UPLOAD_CHUNK_BYTES } from '../../shared/uploads';
import { client } from './client';

export interface PickedFile {
  /** relative path inside what was picked: "train.jsonl", "photos/cat.jpg" */
  path: string;
  file: File;
}

export function pickedFromInput(files: FileList | File[]): PickedFile[] {
  return [...files].map((file) => ({ path: (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name, file }));
}

/** Files and folders dropped (folders walked through the entries API), with their relative paths. */
export async function pickedFromDrop(data: DataTransfer): Promise<PickedFile[]> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return pickedFromInput(data.files);
  const out: PickedFile[] = [];
  for (const entry of entries) await walk(entry, '', out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (entry.name.startsWith('.')) return;
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    out.push({ path, file: await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)) });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    for (const child of batch) await walk(child, path, out);
  }
}

function base64(bytes: ArrayBuffer): string {
  const view = new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Sends the files; returns the upload's id for datasets.import. A stop discards what came. */
export async function uploadFiles(files: PickedFile[], onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<string> {
  const total = files.reduce((n, f) => n + f.file.size, 0);
  const { uploadId } = await client.call('uploads.begin', { files: files.map((f) => ({ path: f.path, bytes: f.file.size })) });
  let sent = 0;
  try {
    for (const { path, file } of files) {
      for (let offset = 0; offset < file.size; offset += UPLOAD_CHUNK_BYTES) {
        signal?.throwIfAborted();
        const chunk = await file.slice(offset, offset + UPLOAD_CHUNK_BYTES).arrayBuffer();
        await client.call('uploads.write', { uploadId, path, offset, dataBase64: base64(chunk) });
        sent += chunk.byteLength;
        onProgress(sent, total);
      }
    }
    return uploadId;
  } catch (err) {
    await client.call('uploads.discard', { uploadId }).catch(() => undefined);
    throw err;
  }
}
