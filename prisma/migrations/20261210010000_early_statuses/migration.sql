-- Delivery statuses only move forward (sent → delivered → read; failed is final), in one
-- conditional UPDATE so two receipts arriving together cannot step back. A receipt can
-- beat Baton to recording the provider's id (the provider answers the send and posts the
-- receipt at once): it waits here, keyed by that id, and is applied when the id is
-- recorded. Rows nobody claims are dropped after a day.

-- CreateTable
CREATE TABLE "EarlyStatus" (
    "channel" "Channel" NOT NULL,
    "providerMessageId" TEXT NOT NULL,
    "status" "MessageStatus" NOT NULL,
    "errorCode" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EarlyStatus_pkey" PRIMARY KEY ("channel","providerMessageId")
);

-- CreateIndex
CREATE INDEX "EarlyStatus_createdAt_idx" ON "EarlyStatus"("createdAt");

-- How far along a status is; a status applies only over a lower one.
CREATE FUNCTION baton_status_rank(s "MessageStatus") RETURNS INT
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE s
    WHEN 'received' THEN 0 WHEN 'queued' THEN 1 WHEN 'sending' THEN 2 WHEN 'sent' THEN 3
    WHEN 'delivered' THEN 4 WHEN 'read' THEN 5 WHEN 'played' THEN 6 WHEN 'deleted' THEN 7
    ELSE 8 -- failed, undelivered: final
  END
$$;
