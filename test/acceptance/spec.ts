// The acceptance scenarios' declarative form: a scenario is a list of steps, each a change to
// the kernel (ip -batch lines, shell commands, FRR configuration through vtysh, an hwsim fault)
// followed by what must then hold: `vrfsync check` consistent (structural and forwarding), and
// explicit lookups, each asked of both hwsim (LookupBatch) and the kernel (RTM_GETROUTE in the
// VRF, as `ip route get ADDR vrf X`), which must agree with each other and with the expectation.

/** A forwarding decision: out of this hardware port, to this next hop, with this MAC. */
export interface Hop {
  port: string;
  /** The next hop (the gateway, or the destination itself for a connected route). */
  via?: string;
  mac?: string;
}

export type Expect =
  | 'trap'
  | 'drop'
  | Hop
  /** ECMP: one of these. `orTrap`: or a trap (a route the hardware has no room for). */
  | { any: Hop[]; orTrap?: boolean };

export interface Lookup {
  /** "default" or a VRF device's name. */
  vrf: string;
  dst: string;
  expect: Expect;
  /**
   * The kernel's answer's type, when it matters (e.g. a trap because the kernel says
   * "unreachable", not because hardware missed a route): unicast, local, broadcast, blackhole,
   * unreachable, prohibit, "no route".
   */
  kernel?: string;
}

export interface Step {
  name: string;
  /** `ip -batch` lines, applied first. */
  ip?: string[];
  /** Shell commands (sh -c), in order, after the ip lines; each must exit 0. */
  sh?: string[];
  /** FRR configuration lines, given to vtysh in configure mode (after sh). */
  vtysh?: string[];
  /** hwsim's route table of a family shrunk to what it holds now plus `room` (before the ip lines). */
  shrink?: { family: 4 | 6; room: number }[];
  /** hwsim's faults cleared (capacities restored), after the ip lines. */
  clearFaults?: boolean;
  lookups?: Lookup[];
  /** VRFs the hardware must not hold. */
  absentVrfs?: string[];
  /**
   * A route table is full: some routes must be missing from hardware (and only routes missing
   * or changed), while the forwarding check still finds hwsim agreeing with the kernel.
   */
  tableFull?: boolean;
  /** Random probes per VRF of the check (besides three per route); default 40. */
  probes?: number;
  /** How long the hardware has to converge; default 60 s. */
  timeoutMs?: number;
}

export interface Scenario {
  name: string;
  steps: Step[];
  /** Shell commands whose output the runner prints when a step fails (lines "DEBUG <scenario> <command> <line>"). */
  debug?: string[];
}
