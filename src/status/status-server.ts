// The agent's status API (proto/vrfsync/agent/v1/agent.proto) and grpc.health.v1, on a unix
// socket only the agent's user can open. Read-only: nothing here changes the agent.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Agent, OffloadEventData } from '../agent/agent.ts';
import { parseAddress } from '../driver/address.ts';
import { AgentService, type agentv1 } from '../driver/wire.ts';
import { bindServer } from '../common/grpc-bind.ts';
import { StrictServer } from '../common/grpc-strict.ts';
import { statusReport, syncStateOf } from './report.ts';

/** How long a stop waits for status calls in flight. */
const STOP_GRACE_MS = 2000;

export interface StatusServer {
  address: string;
  close(): Promise<void>;
}

export async function startStatusServer(agent: Agent, socketPath: string): Promise<StatusServer> {
  const server = new StrictServer();
  const watchers = new Set<grpc.ServerWritableStream<agentv1.WatchRequest, agentv1.IOffloadEvent>>();
  const onOffload = (e: OffloadEventData) => {
    const event: agentv1.IOffloadEvent = {
      unixMs: Date.now(), kind: e.kind, state: e.state ? syncStateOf(e.state) : 0,
      vrf: e.vrf ?? '', key: e.key ?? '', code: e.code ?? '', message: e.message ?? '', count: e.count ?? 0,
    };
    for (const w of watchers) w.write(event);
  };
  agent.on('offload', onOffload);
  server.addService(AgentService, {
    status: (call: grpc.ServerUnaryCall<agentv1.StatusRequest, agentv1.IStatusResponse>, cb: grpc.sendUnaryData<agentv1.IStatusResponse>) => {
      try {
        cb(null, statusReport(agent, call.request.maxFailures || 100));
      } catch (err) {
        cb({ code: grpc.status.INTERNAL, message: (err as Error).message });
      }
    },
    watch: (call: grpc.ServerWritableStream<agentv1.WatchRequest, agentv1.IOffloadEvent>) => {
      watchers.add(call);
      // Headers at once: the client then knows its watch is open before any event comes.
      call.sendMetadata(new grpc.Metadata());
      call.on('cancelled', () => watchers.delete(call));
      call.on('close', () => watchers.delete(call));
    },
  });
  // What orchestration probes: NOT_SERVING while the driver is not connected (before the first
  // connect, and from a lost connection until the session reconnects), since nothing reaches
  // hardware then; a backup agent is connected and serves.
  const serving = () => (agent.driver.connected ? 'SERVING' : 'NOT_SERVING');
  const health = new HealthImplementation({ '': serving(), 'vrfsync.agent.v1.Agent': serving() });
  const onDriver = () => {
    for (const service of ['', 'vrfsync.agent.v1.Agent']) health.setStatus(service, serving());
  };
  agent.driver.on('connected', onDriver);
  agent.driver.on('disconnected', onDriver);
  health.addToServer(server);
  const address = `unix:${socketPath}`;
  await bindServer(server, parseAddress(address), grpc.ServerCredentials.createInsecure());
  return {
    address,
    close: async () => {
      agent.off('offload', onOffload);
      agent.driver.off('connected', onDriver);
      agent.driver.off('disconnected', onDriver);
      for (const w of watchers) w.end();
      // Calls in flight finish; a client that never finishes its request would hold the
      // agent's shutdown forever, so after a grace period its connection is cut.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, STOP_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
