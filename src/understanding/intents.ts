// The intents Baton understands. Each is owned by exactly one bot (checked at start-up).
import { z } from 'zod';

export const Intent = z.enum([
  'greeting',
  'thanks',
  'goodbye',
  'order.status',
  'order.cancel',
  'billing.double_charge',
  'billing.refund',
  'billing.invoice',
  'support.troubleshoot',
  'support.not_fixed',
  'support.fixed',
  'human.request',
  'language.switch',
  'None',
]);
export type Intent = z.infer<typeof Intent>;

/** What the classifier concluded about one message. */
export type Understanding = {
  intent: Intent;
  confidence: number;
  /** Second best, for explaining low confidence. */
  alternatives: Array<{ intent: Intent; score: number }>;
  source: 'neural' | 'llm' | 'rule';
};
