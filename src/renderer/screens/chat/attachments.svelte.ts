// Photos attached to the next question: each file is uploaded at once (images.add) and shown as a
// thumbnail when stored; the question is sent with the ids of those that made it.
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';

export interface Attachment {
  key: number;
  name: string;
  /** set once stored */
  imageId?: string;
}

const MAX_BYTES = 48 * 1024 * 1024;
let nextKey = 1;

export class Attachments {
  items = $state<Attachment[]>([]);
  /** uploads that failed so far (a question waiting for its photos is not sent without one) */
  failures = $state(0);

  get uploading(): boolean {
    return this.items.some((a) => !a.imageId);
  }

  get imageIds(): string[] {
    return this.items.flatMap((a) => (a.imageId ? [a.imageId] : []));
  }

  add(files: Iterable<File>): void {
    for (const file of files) {
      if (!file.type.startsWith('image/')) continue;
      if (file.size > MAX_BYTES) {
        reportError(new Error(`"${file.name}" is larger than 48 MB`), 'Could not add a photo');
        continue;
      }
      const item: Attachment = { key: nextKey++, name: file.name || 'pasted image' };
      this.items.push(item);
      void this.upload(item.key, file);
    }
  }

  /** a photo the studio already stores (a dataset's image) */
  addStored(imageId: string, name: string): void {
    this.items.push({ key: nextKey++, name, imageId });
  }

  remove(key: number): void {
    this.items = this.items.filter((a) => a.key !== key);
  }

  clear(): void {
    this.items = [];
  }

  private async upload(key: number, file: File): Promise<void> {
    try {
      const stored = await client.call('images.add', { name: file.name.slice(0, 255) || undefined, dataBase64: await toBase64(file) });
      const item = this.items.find((a) => a.key === key);
      if (item) item.imageId = stored.id;
    } catch (err) {
      this.remove(key);
      this.failures++;
      reportError(err, 'Could not add a photo'); // the reason names the file
    }
  }
}

function toBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

/** image files among what was dropped or pasted */
export function imageFiles(data: DataTransfer | null): File[] {
  return [...(data?.files ?? [])].filter((f) => f.type.startsWith('image/'));
}
