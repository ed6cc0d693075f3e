// The model stand-in for fault tests: the shared one, with a default that gives every
// message exactly one reply (texts with an order number ask for the order).
import { startStandInLlm, type Classification, type StandInLlm } from '../../support/standInLlm.ts';

export type { Classification };
export type FaultLlm = StandInLlm;

export const defaultClassify = (text: string): Classification =>
  /ORD-\d+/.test(text) ? { intent: 'order.status', confidence: 0.99 } : { intent: 'thanks', confidence: 0.99 };

export const startFaultLlm = (classify: (text: string) => Classification = defaultClassify): Promise<FaultLlm> => startStandInLlm(classify);
