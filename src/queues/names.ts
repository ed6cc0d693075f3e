// Queue names are part of the data in Redis: renaming one strands the jobs already in
// it. Do not change them without a migration plan (drain, then rename).
export const QueueName = {
  /** Run the bot for a conversation's pending inbound messages. */
  Inbound: 'inbound',
  /** Deliver a conversation's pending outbound messages, in order. */
  Outbound: 'outbound',
  /** Human escalation: routing and SLA timers. */
  Escalation: 'escalation',
  /** Download inbound media files, one job per file. */
  Media: 'media',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
