-- The inbox reads waiting conversations by priority (highest first), then by how long
-- they have waited (oldest first). An index in exactly that order lets PostgreSQL read
-- the first page instead of sorting every waiting conversation.

-- DropIndex
DROP INDEX "Conversation_status_priority_waitingSince_idx";

-- CreateIndex
CREATE INDEX "Conversation_status_priority_waitingSince_idx" ON "Conversation"("status", "priority" DESC, "waitingSince");
