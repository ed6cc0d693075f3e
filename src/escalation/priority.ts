// Queue priority: why the conversation escalated, how valuable the customer is, and
// how many SLA alerts it has already raised. Waiting time breaks ties in the inbox.
const REASON_WEIGHT: Record<string, number> = {
  legal: 50,
  frustration: 40,
  authority: 30,
  sla_no_reply: 30,
  customer_request: 20,
  fallbacks_exhausted: 20,
  ping_pong: 20,
  hop_limit: 20,
  oscillation: 20,
  unresolved: 15,
  low_confidence: 10,
};

export function priorityOf(reason: string | null, valuePaise: number, slaLevel = 0): number {
  const value = Math.min(20, Math.floor(valuePaise / 1_000_000)); // +1 per ₹10,000 spent, at most 20
  return (REASON_WEIGHT[reason ?? ''] ?? 15) + value + slaLevel * 10;
}
