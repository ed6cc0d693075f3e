-- CSAT: a customer's 1–5 rating after a person resolved their conversation, one per
-- conversation, attributed to the agent and the last bot before them.
CREATE TABLE "CsatRating" (
    "id" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "contactId" UUID NOT NULL,
    "agentId" UUID,
    "botId" TEXT,
    "rating" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CsatRating_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "CsatRating_rating_check" CHECK ("rating" BETWEEN 1 AND 5)
);

CREATE UNIQUE INDEX "CsatRating_conversationId_key" ON "CsatRating"("conversationId");
CREATE INDEX "CsatRating_agentId_idx" ON "CsatRating"("agentId");

ALTER TABLE "CsatRating" ADD CONSTRAINT "CsatRating_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CsatRating" ADD CONSTRAINT "CsatRating_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;
