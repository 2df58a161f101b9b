// Background jobs: progress events, results, failures and cancellation.
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src/shared/jobs';
import { EventBus } from '../../../src/main/core/event-bus';
import { JobManager } from '../../../src/main/core/jobs';

function setup() {
  const events = new EventBus();
  const seen: Job[] = [];
  events.on('job.updated', (job) => seen.push(job));
  return { jobs: new JobManager(events), seen };
}

describe('JobManager', () => {
  it('publishes start, progress and the result', async () => {
    const { jobs, seen } = setup();
    const job = jobs.start('import', 'import photos', 'items', async ({ progress }) => {
      progress({ done: 1, total: 2 });
      return { imported: 2 };
    });
    const ended = await jobs.settled(job.id);
    expect(ended).toMatchObject({ status: 'done', result: { imported: 2 }, label: 'import photos' });
    expect(seen[0]!.status).toBe('running');
    expect(seen.at(-1)!.status).toBe('done');
  });

  it('reports a failure with its message', async () => {
    const { jobs } = setup();
    const job = jobs.start('download', 'fetch', 'bytes', async () => {
      throw new Error('disk full');
    });
    expect(await jobs.settled(job.id)).toMatchObject({ status: 'failed', error: 'disk full' });
  });

  it('cancels through the signal', async () => {
    const { jobs } = setup();
    const job = jobs.start(
      'export',
      'long',
      'steps',
      ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
    );
    jobs.cancel(job.id);
    expect(await jobs.settled(job.id)).toMatchObject({ status: 'cancelled', error: 'cancelled' });
    expect(() => jobs.cancel('00000000-0000-4000-8000-000000000000')).toThrow(/no job/);
  });
});
