// A photo of the demo dataset to ask the demo model about: the first sample's image and question.
import { client } from '../../lib/client';

export interface DemoPhoto {
  imageId: string;
  question: string;
}

export async function firstPhotoOf(datasetId: number): Promise<DemoPhoto | undefined> {
  const page = await client.call('samples.page', { datasetId, limit: 1 });
  const sample = page.items[0];
  const imageId = sample?.imageIds[0];
  return sample && imageId ? { imageId, question: sample.firstQuestion || 'What is in this picture?' } : undefined;
}
