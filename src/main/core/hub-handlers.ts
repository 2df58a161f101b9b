// Pushing to the Hub from the screens: the token's status (where it was found, never the token),
// saving a token where huggingface_hub reads it, and uploads of a model or a dataset version as
// jobs with byte progress and cancel.
import { ApiError, type HubStatus } from '../../shared/api';
import type { AreaHandlers } from './handlers';
import { hubSettingsFromEnv } from '../hub/hub';
import { findHubToken, saveHubToken, tokenFilePath } from '../hub/hub-token';
import { pushDatasetVersion, pushModel, type PushTarget } from '../hub/hub-push';
import { modelCardFacts } from '../runs/model-provenance';
import type { JobContext } from './jobs';
import type { CoreContext } from './studio-core';

function hubStatus(): HubStatus {
  const found = findHubToken();
  return { endpoint: hubSettingsFromEnv().endpoint, token: { found: Boolean(found), ...(found ? { source: found.source } : {}), file: tokenFilePath() } };
}

function pushTarget(repo: string, isPrivate: boolean, { signal, progress }: JobContext, token: string): PushTarget {
  return {
    repo,
    token,
    endpoint: hubSettingsFromEnv().endpoint,
    private: isPrivate,
    signal,
    onProgress: (done, total, stage) => progress({ done, total, stage }),
  };
}

function requireToken(): string {
  const found = findHubToken();
  if (!found)
    throw new ApiError(
      'invalid_input',
      `no Hub token: set HF_TOKEN, log in with huggingface-cli, or enter a token here (it is saved to ${tokenFilePath()})`,
      'token',
    );
  return found.token;
}

export function hubHandlers(ctx: CoreContext) {
  return {
    'hub.status': async () => hubStatus(),
    'hub.saveToken': async ({ token }) => {
      try {
        saveHubToken(token);
      } catch (err) {
        throw new ApiError('invalid_input', (err as Error).message, 'token');
      }
      return hubStatus();
    },
    'models.push': async ({ id, repo, private: isPrivate }) => {
      const model = ctx.models.get(id);
      const token = requireToken();
      const card = modelCardFacts(repo, model, ctx);
      return ctx.jobs.start('upload', `Push ${model.name} to ${repo}`, 'bytes', (job) =>
        pushModel(pushTarget(repo, isPrivate, job, token), { folder: model.folder, tokenizerFolder: model.tokenizerFolder, card }),
      );
    },
    'datasets.pushVersion': async ({ datasetId, versionId, repo, private: isPrivate }) => {
      const dataset = ctx.datasets.getDataset(datasetId);
      const token = requireToken();
      let version;
      try {
        version = versionId === undefined ? ctx.datasets.createVersion(datasetId, { note: `pushed to ${repo}` }) : ctx.datasets.versions.require(versionId);
      } catch (err) {
        throw new ApiError('invalid_input', `"${dataset.name}": ${(err as Error).message}`, versionId === undefined ? 'datasetId' : 'versionId');
      }
      if (version.datasetId !== datasetId) throw new ApiError('invalid_input', `version ${version.id} belongs to another dataset`, 'versionId');
      return ctx.jobs.start('upload', `Push ${dataset.name} version ${version.id} to ${repo}`, 'bytes', (job) =>
        pushDatasetVersion(pushTarget(repo, isPrivate, job, token), {
          store: ctx.datasets,
          versionId: version.id,
          card: { name: dataset.name, description: dataset.description, versionId: version.id, contentHash: version.contentHash },
        }),
      );
    },
  } satisfies AreaHandlers;
}
