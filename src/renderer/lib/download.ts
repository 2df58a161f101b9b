// Hands the person a file made in the renderer (a chat export): the browser's download, the same
// behind both doors. The object URL is let go once the download has started.
export function saveFile(fileName: string, mimeType: string, content: string | Blob): void {
  const blob = typeof content === 'string' ? new Blob([content], { type: mimeType }) : content;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
