// A tap on the door to the kernel: sees every rtnetlink datagram the agent sends or receives, as
// it passes, without changing it. `vrfsync record` writes what it sees to a capture; nothing
// else listens. A tap must copy what it keeps: the buffers are reused after the call.

/** Our dump requests go out; dump replies (unicast to a dump socket) and events (multicast) come in. */
export type TapKind = 'request' | 'reply' | 'event';

/** `at`: when the agent's thread saw the datagram, in microseconds since the epoch. */
export type NetlinkTap = (kind: TapKind, datagram: Buffer, at: number) => void;

/** The tap's clock: wall time in microseconds, monotonic within a process. */
export function tapClock(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
