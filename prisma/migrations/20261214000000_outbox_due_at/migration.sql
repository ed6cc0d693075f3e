-- A turn's replies are delivered by the worker that answered, right after its commit;
-- their outbox rows are the safety net and fall due only when that worker has had time
-- to finish (it deletes them when it has). The sweep reads dueAt, not createdAt.
ALTER TABLE "Outbox" ADD COLUMN "dueAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now();

DROP INDEX "Outbox_createdAt_idx";
CREATE INDEX "Outbox_dueAt_idx" ON "Outbox"("dueAt");
