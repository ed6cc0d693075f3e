-- Web chat sessions expire after a while unused: lastSeenAt is when the session's token
-- was last used (bumped at most every few minutes); the sweeper deletes expired sessions
-- and the contacts that only they created.
ALTER TABLE "WebchatSession" ADD COLUMN "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

CREATE INDEX "WebchatSession_lastSeenAt_idx" ON "WebchatSession"("lastSeenAt");
