// The agent's allocator settings are applied: npm ci built native/malloc-tuning, and glibc took
// the fixed mmap threshold (bench:sync's agent peak depends on it).
import { describe, expect, it } from 'vitest';
import { tuneMalloc } from '../../src/common/malloc-tuning.ts';

describe('tuneMalloc', () => {
  it('applies the mmap threshold through the built addon', () => {
    expect(process.env.MALLOC_MMAP_THRESHOLD_).toBeUndefined();
    expect(tuneMalloc()).toBeNull();
  });
});
