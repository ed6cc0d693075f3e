-- Learning from people: the intent an agent says a customer's message really had, kept
-- for review and, once reviewed, for a pack's training phrases. One per message.
CREATE TABLE "IntentCorrection" (
    "id" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "messageId" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "fromIntent" TEXT,
    "intent" TEXT NOT NULL,
    "agentId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IntentCorrection_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "IntentCorrection_messageId_key" ON "IntentCorrection"("messageId");

ALTER TABLE "IntentCorrection" ADD CONSTRAINT "IntentCorrection_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
