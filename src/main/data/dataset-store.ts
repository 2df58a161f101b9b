// The datasets back end in one object: datasets, images, samples, search, versions, import and
// export, on an open studio database and its data folder. This is what the core API calls.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type {
  BulkChange,
  DatasetSummary,
  DatasetVersion,
  DeleteResult,
  ExportFormat,
  ExportReport,
  ImageInfo,
  ImportReport,
  NewSample,
  Sample,
  SampleFilter,
  SamplePage,
  SamplePatch,
  SampleQuery,
  SampleSplit,
  SampleStatus,
  Selection,
  SplitAssignment,
  SplitLeak,
  SplitRatios,
  SplitStratification,
  VersionDiff,
  RestoreResult,
} from '../../shared/datasets';
import { ApiError } from '../../shared/errors';
import { openDatabase, type StudioDatabase } from './database';
import { DatasetRepository } from './dataset-repo';
import { DatasetVersions, type VersionSample } from './dataset-versions';
import { exportJsonl, type ExportControl } from './export/export-jsonl';
import { exportParquet, PARQUET_FILES } from './export/export-parquet';
import type { ExportSelection } from './export/export-samples';
import { prepareExportTarget, type ExportTarget } from './export/export-target';
import { ImageStore } from './images/image-store';
import type { ImportRunOptions } from './import/import-runner';
import { importPath } from './import/import-path';
import { applyBulkChange, deleteSamples, purgeDeletedSamples, restoreSamples } from './samples/bulk-actions';
import { SampleRepository } from './samples/sample-repo';
import { assignSplits, findSplitLeaks } from './samples/split-assignment';
import { VersionRestore } from './version-restore';

export interface ExportOptions extends ExportControl {
  selection?: ExportSelection;
  /** replace the files of an earlier export in a folder that is not empty */
  overwrite?: boolean;
  /** a target already prepared (prepareExport) */
  target?: ExportTarget;
}

/** A bulk action's filter no longer matches what the person saw. */
export class SelectionChangedError extends ApiError {
  constructor(
    readonly expected: number,
    readonly found: number,
  ) {
    super(
      'conflict',
      `the selection now matches ${found} sample(s), not the ${expected} shown: nothing was changed; look again and retry`,
      'selection.expectedCount',
    );
    this.name = 'SelectionChangedError';
  }
}

export class DatasetStore {
  readonly images: ImageStore;
  readonly samples: SampleRepository;
  readonly datasets: DatasetRepository;
  readonly versions: DatasetVersions;

  constructor(
    readonly db: StudioDatabase,
    readonly dataDir: string,
  ) {
    this.images = new ImageStore(db, dataDir);
    this.samples = new SampleRepository(db);
    this.datasets = new DatasetRepository(db);
    this.versions = new DatasetVersions(db);
  }

  /** Opens (creating if needed) the data folder's database. Close with close(). */
  static open(dataDir: string): DatasetStore {
    mkdirSync(dataDir, { recursive: true });
    return new DatasetStore(openDatabase(dataDir), dataDir);
  }

  close(): void {
    this.db.close();
  }

  // Datasets

  listDatasets(): DatasetSummary[] {
    return this.datasets.list();
  }

  createDataset(name: string, description = ''): DatasetSummary {
    return this.datasets.create(name, description);
  }

  getDataset(id: number): DatasetSummary {
    return this.datasets.require(id);
  }

  /** The dataset named so, created if there is none. */
  datasetNamed(name: string): DatasetSummary {
    const id = this.datasets.findByName(name);
    return id === null ? this.datasets.create(name) : this.datasets.require(id);
  }

  updateDataset(id: number, change: { name?: string; description?: string }): DatasetSummary {
    return this.datasets.update(id, change);
  }

  deleteDataset(id: number): void {
    this.datasets.delete(id);
  }

  // Import and export

  importPath(datasetId: number, path: string, options: ImportRunOptions = {}): Promise<ImportReport> {
    this.datasets.require(datasetId);
    return importPath(this, datasetId, path, options);
  }

  /**
   * Checks where an export goes (a new or empty folder, or `overwrite`): throws ExportTargetError
   * with the reason before any work is done. `studioOwned`: a folder of the studio's own (a
   * download being made), where the data folder's refusal does not apply.
   */
  prepareExport(
    outDir: string,
    format: ExportFormat,
    options: { overwrite?: boolean; signal?: AbortSignal; studioOwned?: boolean } = {},
  ): Promise<ExportTarget> {
    const dataFiles = format === 'parquet' ? PARQUET_FILES : ['data.jsonl'];
    const { studioOwned, ...rest } = options;
    return prepareExportTarget(outDir, { ...rest, dataFiles, ...(studioOwned ? {} : { dataDir: this.dataDir }) });
  }

  /**
   * jsonl and sharegpt write everything (lossless); parquet writes what training can use. The
   * files appear in `outDir` only when the export is complete; a failed or cancelled one leaves
   * nothing there.
   */
  async exportDataset(datasetId: number, outDir: string, format: ExportFormat, options: ExportOptions = {}): Promise<ExportReport> {
    this.datasets.require(datasetId);
    const target = options.target ?? (await this.prepareExport(outDir, format, options));
    await target.create();
    try {
      const report =
        format === 'parquet'
          ? await exportParquet(this.db, this.images, datasetId, target.staging, options.selection, options)
          : await exportJsonl(this.db, this.images, datasetId, target.staging, format === 'jsonl' ? 'vqa' : 'sharegpt', options.selection, options);
      await target.publish();
      return { ...report, files: report.files.map((f) => join(target.outDir, relative(target.staging, f))) };
    } catch (err) {
      await target.discard();
      throw err;
    }
  }

  // Samples

  pageSamples(query: SampleQuery): SamplePage {
    this.datasets.require(query.datasetId);
    return this.samples.page(query);
  }

  countSamples(datasetId: number, filter?: SampleFilter): number {
    this.datasets.require(datasetId);
    return this.samples.count(datasetId, filter);
  }

  getSample(id: number): Sample | null {
    return this.samples.get(id);
  }

  createSample(datasetId: number, input: NewSample): Sample {
    this.datasets.require(datasetId);
    return this.samples.create(datasetId, input);
  }

  updateSample(id: number, patch: SamplePatch): Sample {
    return this.samples.update(id, patch);
  }

  /** Returns how many samples changed. */
  bulkUpdate(selection: Selection, change: BulkChange): number {
    return applyBulkChange(this.db, this.selected(selection), change);
  }

  deleteSamples(selection: Selection): DeleteResult {
    return deleteSamples(this.db, this.selected(selection));
  }

  /**
   * The ids a bulk action acts on. A selection by filter that names how many samples the person
   * saw is refused when it now matches another number: the action would not be the one they chose.
   */
  private selected(selection: Selection): number[] {
    this.datasets.require(selection.datasetId);
    const ids = this.samples.selectedIds(selection);
    if ('filter' in selection && selection.expectedCount !== undefined && ids.length !== selection.expectedCount) {
      throw new SelectionChangedError(selection.expectedCount, ids.length);
    }
    return ids;
  }

  restoreSamples(undoToken: string): number {
    return restoreSamples(this.db, undoToken);
  }

  purgeDeletedSamples(olderThan: number): number {
    return purgeDeletedSamples(this.db, olderThan);
  }

  /** Every tag used in a dataset, with how many live samples carry it (most used first). */
  listTags(datasetId: number): { tag: string; count: number }[] {
    this.datasets.require(datasetId);
    return this.db
      .prepare(
        `SELECT t.tag AS tag, count(*) AS count FROM sample_tags t JOIN samples s ON s.id = t.sample_id
        WHERE s.dataset_id = ? AND s.deleted_at IS NULL GROUP BY t.tag ORDER BY count DESC, t.tag`,
      )
      .all(datasetId) as { tag: string; count: number }[];
  }

  assignSplits(datasetId: number, ratios: SplitRatios, seed: number, stratify: SplitStratification = 'none'): SplitAssignment {
    this.datasets.require(datasetId);
    return assignSplits(this.db, datasetId, ratios, seed, stratify);
  }

  findSplitLeaks(datasetId: number): SplitLeak[] {
    this.datasets.require(datasetId);
    return findSplitLeaks(this.db, datasetId);
  }

  // Versions

  createVersion(datasetId: number, options?: { note?: string; statuses?: SampleStatus[] }): DatasetVersion {
    this.datasets.require(datasetId);
    return this.versions.create(datasetId, options);
  }

  listVersions(datasetId: number): DatasetVersion[] {
    this.datasets.require(datasetId);
    return this.versions.list(datasetId);
  }

  diffVersions(datasetId: number, from: number, to: number | 'current'): VersionDiff {
    this.datasets.require(datasetId);
    return new VersionRestore(this.db, this.versions, this.samples).diff(datasetId, from, to);
  }

  restoreVersion(datasetId: number, versionId: number): RestoreResult {
    this.datasets.require(datasetId);
    return new VersionRestore(this.db, this.versions, this.samples).restore(datasetId, versionId);
  }

  versionSamples(versionId: number, split?: SampleSplit): Iterable<VersionSample> {
    return this.versions.samples(versionId, split);
  }

  // Images (the web door serves media by id through these, never by a path it was given)

  addImage(bytes: Uint8Array): Promise<ImageInfo> {
    return this.images.add(bytes);
  }

  imageFilePath(id: string): string {
    return this.images.filePath(id);
  }

  thumbnailPath(id: string): Promise<string> {
    return this.images.thumbnailPath(id);
  }
}
