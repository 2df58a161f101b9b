// An import report as text for the command line: the counts, then every skipped file or row
// with its reason, then the duplicates flagged.
import type { ImportReport } from '../../../shared/datasets';

export function importReportText(report: ImportReport, datasetName: string): string {
  const lines = [
    `${report.cancelled ? 'Cancelled' : 'Imported'} into "${datasetName}": ${report.imported} sample(s) imported, ${report.skipped} skipped, ` +
      `${report.duplicates} duplicate(s) flagged, ${report.newImages} new image(s) stored (${report.seconds.toFixed(1)} s).`,
  ];
  if (report.issues.length) {
    lines.push('', 'Skipped:');
    for (const issue of report.issues) lines.push(`  ${issue.where}: ${issue.reason}`);
  }
  if (report.duplicateOf.length) {
    lines.push('', 'Duplicates (imported, flagged):');
    for (const d of report.duplicateOf) lines.push(`  ${d.where}: sample ${d.sampleId} duplicates sample ${d.duplicateOf}`);
  }
  return `${lines.join('\n')}\n`;
}
