-- SMS opt-out: STOP (and its synonyms, or Twilio's OptOutType=STOP, or Twilio error
-- 21610 on a send) marks the address opted out; START, YES or UNSTOP clears it. Kept on
-- the channel identity: opting out of texts says nothing about WhatsApp or web chat.

-- AlterTable
ALTER TABLE "ChannelIdentity" ADD COLUMN "optedOutAt" TIMESTAMPTZ(3);
