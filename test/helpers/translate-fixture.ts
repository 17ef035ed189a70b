// A kernel model translated from scratch and written into an in-process hwsim, with the
// desired route of a prefix readable as text: the starting point of translation rule tests.
import { RouteRecord, recordFromRoute } from '../../src/netlink/route-record.ts';
import { DEFAULT_TRANSLATE_CONFIG, type TranslateConfig } from '../../src/translate/inputs.ts';
import { describeValue } from '../../src/translate/route-value.ts';
import { ABSENT } from '../../src/translate/route-table.ts';
import { Translator } from '../../src/translate/translator.ts';
import type { KernelModel } from './kernel-model.ts';
import { newAsic, syncInto } from './sync-check.ts';

export function translateInto(k: KernelModel, config: TranslateConfig = DEFAULT_TRANSLATE_CONFIG) {
  const { asic, facts } = newAsic();
  const t = new Translator(config, facts, k.mirror);
  t.rebuild();
  syncInto(asic, t.desired);
  /** The desired hardware route for a prefix in a VRF, as text ("trap", "nexthop 1", ...). */
  const route = (vrf: number, cidr: string): string => {
    const r = recordFromRoute(k.routeOf({ dst: cidr }), new RouteRecord());
    const v = t.desired.routes(r.family).get(vrf, r.dstLen, r.d0, r.d1, r.d2, r.d3);
    return v === ABSENT ? 'absent' : describeValue(v);
  };
  const nexthop = (id: number) => t.desired.nexthops.get(id);
  return { t, asic, facts, route, nexthop, d: t.desired };
}
