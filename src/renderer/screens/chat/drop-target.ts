// Dropping photos anywhere on the chat: an attachment (not an element handler, because the drop
// area is a layout region, not a control) that reports whether files are being dragged over it.
import type { Attachment } from 'svelte/attachments';
import { imageFiles } from './attachments.svelte';

export function dropTarget(ondrop: (files: File[]) => void, onhover: (over: boolean) => void): Attachment<HTMLElement> {
  return (element) => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      onhover(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer!.dropEffect = 'copy';
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) onhover(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      onhover(false);
      ondrop(imageFiles(e.dataTransfer));
    };
    element.addEventListener('dragenter', enter);
    element.addEventListener('dragover', over);
    element.addEventListener('dragleave', leave);
    element.addEventListener('drop', drop);
    return () => {
      element.removeEventListener('dragenter', enter);
      element.removeEventListener('dragover', over);
      element.removeEventListener('dragleave', leave);
      element.removeEventListener('drop', drop);
    };
  };
}
