// A hardware route's action and target packed into one number, so a million routes cost one
// double each: target id * 16 + target kind * 4 + action (exact for any uint32 id).
import { Action } from '../driver/wire.ts';

export const enum TargetKind { None = 0, NextHop = 1, Group = 2, Rif = 3 }

export type RouteValue = number;

export function routeValue(action: Action, kind: TargetKind = TargetKind.None, id = 0): RouteValue {
  return id * 16 + kind * 4 + action;
}

export const TRAP: RouteValue = routeValue(Action.ACTION_TRAP);
export const DROP: RouteValue = routeValue(Action.ACTION_DROP);

export function actionOf(v: RouteValue): Action {
  return (v % 4) as Action;
}

export function kindOf(v: RouteValue): TargetKind {
  return (Math.floor(v / 4) % 4) as TargetKind;
}

export function targetOf(v: RouteValue): number {
  return Math.floor(v / 16);
}

export function describeValue(v: RouteValue): string {
  const a = actionOf(v);
  if (a !== Action.ACTION_FORWARD) return a === Action.ACTION_DROP ? 'drop' : 'trap';
  return `${['', 'nexthop', 'group', 'rif'][kindOf(v)]} ${targetOf(v)}`;
}
