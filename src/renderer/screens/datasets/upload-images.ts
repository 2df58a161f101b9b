// Photos from the person's machine into the studio: each file is sent through images.add (the
// browser door has no path to them) and stored once by content hash.
import type { ImageInfo } from '../../../shared/datasets';
import { client } from '../../lib/client';

function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

export async function uploadImage(file: File): Promise<ImageInfo> {
  return client.call('images.add', { name: file.name.slice(0, 255), dataBase64: await base64Of(file) });
}

/** Adds each photo as a new sample to annotate; returns how many were added and what failed. */
export async function addPhotosAsSamples(datasetId: number, files: File[]): Promise<{ added: number; failed: { name: string; reason: string }[] }> {
  let added = 0;
  const failed: { name: string; reason: string }[] = [];
  for (const file of files) {
    try {
      const image = await uploadImage(file);
      await client.call('samples.create', { datasetId, sample: { imageIds: [image.id], status: 'todo' } });
      added++;
    } catch (err) {
      failed.push({ name: file.name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { added, failed };
}
