// What a channel allows, for the people writing on it: before an agent sends, how long
// the text may be and, on SMS, how many segments (GSM-7 or UCS-2) it will be billed as.
import { z } from 'zod';
import { ChannelName } from '../../channels/channel.ts';
import { MAX_TEXT, smsSegments } from '../../channels/limits.ts';
import { route, type RouteDef } from '../route.ts';

export const MeasureBody = z.object({ text: z.string().max(20_000) });
export const Measurement = z.object({
  channel: ChannelName,
  characters: z.number().int().describe('code points'),
  limit: z.number().int().describe('the most one message on this channel may carry'),
  fits: z.boolean(),
  sms: z
    .object({
      encoding: z.enum(['GSM-7', 'UCS-2']),
      units: z.number().int(),
      segments: z.number().int(),
      perSegment: z.number().int(),
    })
    .optional()
    .describe('SMS only: Indian scripts and emoji need UCS-2, 70 characters a segment (67 once split)'),
});

export const channelRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/api/channels/:channel/measure',
    operationId: 'measureText',
    tag: 'Agents',
    summary: 'How a text fits a channel, before sending it',
    description: 'Length against the channel limit (SMS 1,600, WhatsApp and web chat 4,096) and, for SMS, the segment count and encoding.',
    auth: 'agent',
    params: z.object({ channel: ChannelName }),
    body: { schema: MeasureBody, name: 'MeasureBody', example: { text: 'आपका ऑर्डर कल पहुँचेगा।' } },
    responses: { 200: { description: 'The measurement.', schema: Measurement, name: 'Measurement' } },
    handler: async ({ params, body }) => {
      const characters = Array.from(body.text).length;
      const limit = MAX_TEXT[params.channel];
      return {
        status: 200 as const,
        body: { channel: params.channel, characters, limit, fits: characters <= limit, ...(params.channel === 'sms' ? { sms: smsSegments(body.text) } : {}) },
      };
    },
  }),
];
