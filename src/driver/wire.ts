// The only module that imports the generated protobuf code. It switches protobufjs to plain
// numbers for 64-bit fields (boot epochs, election ids and counters stay far below 2^53), so
// no caller ever sees a Long.
import $protobuf from 'protobufjs/minimal.js';
import { vrfsync as generated } from '../generated/proto.js';

$protobuf.util.Long = undefined as never;
$protobuf.configure();

export const pb = generated.driver.v1;
export const simpb = generated.hwsim.v1;
export const agentpb = generated.agent.v1;
export { AgentService, DriverService, SimulatorService } from '../generated/services.ts';

export import v1 = generated.driver.v1;
export import simv1 = generated.hwsim.v1;
export import agentv1 = generated.agent.v1;

export const Code = pb.Code;
export type Code = v1.Code;
export const Action = pb.Action;
export type Action = v1.Action;
export const Table = pb.Table;
export type Table = v1.Table;
export const EntityType = pb.EntityType;
export type EntityType = v1.EntityType;
export const UpdateType = pb.Update.Type;
export type UpdateType = v1.Update.Type;
export const OperStatus = pb.OperStatus;
export type OperStatus = v1.OperStatus;

/** Name of a status code, e.g. "NOT_FOUND". */
export function codeName(code: number): string {
  return pb.Code[code] ?? `CODE_${code}`;
}
