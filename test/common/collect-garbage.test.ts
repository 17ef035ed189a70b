// collectGarbage runs a real full collection in a process started without --expose-gc.
import { expect, it } from 'vitest';
import { collectGarbage } from '../../src/common/collect-garbage.ts';

it('collects what nothing refers to', async () => {
  const ref = (() => new WeakRef({ big: new Float64Array(1 << 16) }))();
  // A WeakRef keeps its target for the rest of the job that made it.
  await new Promise((r) => setTimeout(r, 0));
  collectGarbage();
  expect(ref.deref()).toBeUndefined();
});
