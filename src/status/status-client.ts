// The client side of the agent's status API (proto/vrfsync/agent/v1): `vrfsync status`, and the
// commands that ask a running agent which driver it syncs into and how (show, check).
import * as grpc from '@grpc/grpc-js';
import { AgentService, type agentv1 } from '../driver/wire.ts';
import type { TranslateConfig } from '../translate/inputs.ts';
import { defaultStatusSocket } from './status-socket.ts';

const AgentStub = grpc.makeGenericClientConstructor(AgentService, 'Agent');
export type AgentClient = grpc.Client & {
  status(req: agentv1.IStatusRequest, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: agentv1.StatusResponse) => void): void;
  watch(req: agentv1.IWatchRequest): grpc.ClientReadableStream<agentv1.OffloadEvent>;
};

export function agentClient(socket: string): AgentClient {
  return new AgentStub(`unix:${socket}`, grpc.credentials.createInsecure()) as unknown as AgentClient;
}

export function askStatus(client: AgentClient, deadlineMs?: number): Promise<agentv1.StatusResponse> {
  const opts: grpc.CallOptions = deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
  return new Promise((resolve, reject) => client.status({}, opts, (err, res) => (err ? reject(err) : resolve(res!))));
}

/** Where and how a running agent syncs. */
export interface AgentSettings {
  driver: string;
  translate: TranslateConfig;
}

/**
 * The driver and translation settings of the agent answering on `socket` (by default this
 * network namespace's), or null when none answers within `deadlineMs`.
 */
export async function agentSettings(socket = defaultStatusSocket(), deadlineMs = 3000): Promise<AgentSettings | null> {
  const client = agentClient(socket);
  try {
    const s = await askStatus(client, deadlineMs);
    if (!s.driver?.address) return null;
    return {
      driver: s.driver.address,
      translate: { portMap: new Map(Object.entries(s.translate?.portMap ?? {})), excludedVrfs: new Set(s.translate?.excludedVrfs ?? []) },
    };
  } catch {
    return null;
  } finally {
    client.close();
  }
}
