// The background prefill's rules, with work whose steps the test releases one by one: it waits for
// generations already running, a newer prefill or cancel() aborts it, and a generation arriving
// meanwhile waits for a prefill it can use and aborts any other.
import { describe, expect, it } from 'vitest';
import { BackgroundPrefill } from '../../../src/main/runtime/background-prefill';
import { imageRowKeys, tokenKey } from '../../../src/main/runtime/prompt-cache';

const photo = (name: string) => [tokenKey(1), ...imageRowKeys(name, 3), tokenKey(2)];

/** Work that names its positions, then waits for the test to let it finish; records what happened. */
function controlledWork(keys: string[]) {
  const log: string[] = [];
  let finish!: () => void;
  const released = new Promise<void>((resolve) => (finish = resolve));
  const work = async (signal: AbortSignal, describe: (k: readonly string[]) => void) => {
    log.push('started');
    describe(keys);
    await released;
    log.push(signal.aborted ? 'saw abort' : 'finished');
  };
  return { work, log, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BackgroundPrefill', () => {
  it('starts only after the generations already running have ended', async () => {
    const prefill = new BackgroundPrefill();
    const leave = await prefill.enterGeneration(undefined);
    const { work, log, finish } = controlledWork(photo('a'));
    const outcome = prefill.start(work);
    await tick();
    expect(log).toEqual([]);
    leave();
    await tick();
    expect(log).toEqual(['started']);
    finish();
    expect(await outcome).toBe('done');
  });

  it('a generation whose prompt starts with the prefilled photo waits for it', async () => {
    const prefill = new BackgroundPrefill();
    const { work, log, finish } = controlledWork(photo('a'));
    const outcome = prefill.start(work);
    await tick();
    let entered = false;
    const entering = prefill.enterGeneration([...photo('a'), tokenKey(7), tokenKey(8)]).then((leave) => ((entered = true), leave));
    await tick();
    expect(entered).toBe(false);
    finish();
    (await entering)();
    expect(log).toEqual(['started', 'finished']);
    expect(await outcome).toBe('done');
  });

  it('a generation about another photo aborts the prefill at once', async () => {
    const prefill = new BackgroundPrefill();
    const { work, log, finish } = controlledWork(photo('a'));
    const outcome = prefill.start(work);
    await tick();
    const leave = await prefill.enterGeneration([...photo('b'), tokenKey(7)]);
    expect(prefill.busy).toBe(false);
    finish();
    expect(await outcome).toBe('cancelled');
    expect(log).toEqual(['started', 'saw abort']);
    leave();
  });

  it("a newer prefill, cancel() or the caller's signal aborts the one before", async () => {
    const prefill = new BackgroundPrefill();
    const first = controlledWork(photo('a'));
    const second = controlledWork(photo('b'));
    const firstOutcome = prefill.start(first.work);
    await tick();
    const secondOutcome = prefill.start(second.work);
    first.finish();
    expect(await firstOutcome).toBe('cancelled');
    await tick();
    prefill.cancel();
    second.finish();
    expect(await secondOutcome).toBe('cancelled');

    const third = controlledWork(photo('c'));
    const controller = new AbortController();
    const thirdOutcome = prefill.start(third.work, controller.signal);
    await tick();
    controller.abort();
    third.finish();
    expect(await thirdOutcome).toBe('cancelled');
    expect(third.log).toEqual(['started', 'saw abort']);
  });

  it('a prefill cancelled while it waits for a generation never starts', async () => {
    const prefill = new BackgroundPrefill();
    const leave = await prefill.enterGeneration(undefined);
    const { work, log } = controlledWork(photo('a'));
    const outcome = prefill.start(work);
    prefill.cancel();
    leave();
    expect(await outcome).toBe('cancelled');
    expect(log).toEqual([]);
  });
});
