// The agent's allocator settings (glibc's mallopt, through native/malloc-tuning).
//
// A full-table sync allocates and frees typed arrays from a few KiB to tens of MiB: tables that
// grow by doubling, a Write's batch and encoding every 10,000 routes. By default glibc raises its
// mmap threshold to the size of each large block freed (up to 32 MiB), so after the first dump
// doubled its tables, every later block below 16 MiB comes from the heap instead, where freed
// blocks interleave with live tables and the process keeps them: the agent's peak RSS over a
// 1.2M-route sync was 308-319 MiB with about 170 MiB of it live. A fixed threshold of 1 MiB
// keeps big tables in mappings of their own (returned whole when freed) and lets the small,
// short-lived blocks reuse the heap: 288-292 MiB, no slower (bench:sync's table, four runs each).
// MALLOC_MMAP_THRESHOLD_ does the same, but only for a process started with it.
import { loadAddon } from './native-addon.ts';

export const MMAP_THRESHOLD = 1 << 20;

/**
 * Applies the agent's allocator settings; returns why not when they could not be (no glibc, the
 * addon not built): the agent works the same, with a higher peak.
 */
export function tuneMalloc(): string | null {
  if (process.env.MALLOC_MMAP_THRESHOLD_ !== undefined) return null; // the operator chose
  const addon = loadAddon<{ tune(mmapThreshold: number, arenaMax: number): boolean }>('malloc-tuning', 'malloc_tuning.node');
  if (!addon) return 'native/malloc-tuning is not built (npm ci builds it)';
  return addon.tune(MMAP_THRESHOLD, 0) ? null : 'mallopt is not available (not glibc)';
}
