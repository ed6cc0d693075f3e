-- The agent workspace: labels on conversations (filtered with a GIN index), agents'
-- presence (available agents can be given waiting conversations by load), and saved
-- replies ("canned responses"), team-wide (scope 'team') or one agent's (scope = id).
ALTER TABLE "Conversation" ADD COLUMN "labels" TEXT[] DEFAULT '{}';
CREATE INDEX "Conversation_labels_idx" ON "Conversation" USING GIN ("labels");

CREATE TYPE "AgentPresence" AS ENUM ('available', 'away');
ALTER TABLE "Agent" ADD COLUMN "presence" "AgentPresence" NOT NULL DEFAULT 'away';

CREATE TABLE "CannedResponse" (
    "id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "agentId" UUID,
    "shortcut" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "translations" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CannedResponse_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CannedResponse_scope_shortcut_key" ON "CannedResponse"("scope", "shortcut");
ALTER TABLE "CannedResponse" ADD CONSTRAINT "CannedResponse_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Search over messages: their words ('simple' configuration: no stemming or stop words,
-- so every Indian script matches word for word), kept by PostgreSQL, GIN-indexed.
-- Adding a stored generated column rewrites "Message" once (a lock for its duration).
ALTER TABLE "Message" ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "text")) STORED;
CREATE INDEX "Message_searchVector_idx" ON "Message" USING GIN ("searchVector");
