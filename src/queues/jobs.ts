// Job payloads, parsed by the worker before use. Only ids travel through Redis: no
// personal data or secrets in job data.
import { z } from 'zod';

export const TurnJob = z.object({ conversationId: z.uuid(), messageId: z.uuid() });
export type TurnJob = z.infer<typeof TurnJob>;

export const SendJob = z.object({ conversationId: z.uuid(), messageId: z.uuid() });
export type SendJob = z.infer<typeof SendJob>;

/** Job ids are derived from the message, so enqueueing twice while a job exists is a no-op. */
export const jobId = {
  turn: (messageId: string) => `turn-${messageId}`,
  send: (messageId: string) => `send-${messageId}`,
};
