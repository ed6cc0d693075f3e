// "Sending" on web chat is pushing the stored message to the customer's live stream.
// The message is already in PostgreSQL, so a customer who was offline gets it from
// history; the push is what makes it appear at once.
import type { ChannelSender, OutboundRequest, SendResult } from '../channel.ts';
import type { EventBus } from '../../realtime/eventBus.ts';

export const webchatTopic = (sessionId: string) => `webchat:${sessionId}`;

export class WebchatSender implements ChannelSender {
  readonly channel = 'webchat' as const;
  constructor(
    private readonly bus: EventBus,
    /** Loads the public view of the stored message the request is about. */
    private readonly loadView: (messageId: string) => Promise<unknown>,
  ) {}

  async send(request: OutboundRequest): Promise<SendResult> {
    const view = await this.loadView(request.idempotencyKey);
    await this.bus.publish(webchatTopic(request.to), view);
    return { providerMessageId: request.idempotencyKey };
  }
}
