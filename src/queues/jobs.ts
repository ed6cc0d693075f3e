// Job payloads, parsed by the worker before use. Only ids travel through Redis: no
// personal data or secrets in job data.
import { z } from 'zod';

/** `trace`: the W3C traceparent of the span that queued the job, when tracing is on. */
export const TurnJob = z.object({ conversationId: z.uuid(), messageId: z.uuid(), trace: z.string().max(100).optional() });
export type TurnJob = z.infer<typeof TurnJob>;

export const SendJob = z.object({ conversationId: z.uuid(), messageId: z.uuid(), trace: z.string().max(100).optional() });
export type SendJob = z.infer<typeof SendJob>;

/** `fileId`: the MediaFile to download. */
export const MediaJob = z.object({ conversationId: z.uuid(), fileId: z.uuid() });
export type MediaJob = z.infer<typeof MediaJob>;

/** Job ids are derived from the message, so enqueueing twice while a job exists is a no-op. */
export const jobId = {
  turn: (messageId: string) => `turn-${messageId}`,
  send: (messageId: string) => `send-${messageId}`,
  media: (fileId: string) => `media-${fileId}`,
};

/** Human escalation: place in the queue, and the two SLA timers (delayed jobs). */
export const EscalationJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('route'), conversationId: z.uuid(), handoffId: z.uuid() }),
  z.object({ kind: z.literal('sla-unclaimed'), conversationId: z.uuid(), waitingSince: z.iso.datetime(), level: z.number().int().min(1) }),
  z.object({ kind: z.literal('sla-reply'), conversationId: z.uuid(), agentId: z.uuid(), claimedAt: z.iso.datetime() }),
]);
export type EscalationJob = z.infer<typeof EscalationJob>;

export function escalationJobId(job: EscalationJob): string {
  switch (job.kind) {
    case 'route':
      return `route-${job.handoffId}`;
    case 'sla-unclaimed':
      return `sla-unclaimed-${job.conversationId}-${Date.parse(job.waitingSince)}-${job.level}`;
    case 'sla-reply':
      return `sla-reply-${job.conversationId}-${Date.parse(job.claimedAt)}`;
  }
}
