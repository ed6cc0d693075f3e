-- A message's turn updates its conversation several times (the ingest's upsert, the
-- outcome's context, a handoff's pause and release) and each message's row once or
-- twice (handled; claimed, sent). With full pages every such update writes a new row
-- version elsewhere and an entry in every index; room left on each page lets
-- PostgreSQL keep the new version on the same page without touching the indexes (a
-- HOT update), as none of these updates change an indexed column. Applies to pages
-- written from now on.
ALTER TABLE "Conversation" SET (fillfactor = 70);
ALTER TABLE "Message" SET (fillfactor = 85);
ALTER TABLE "Outbox" SET (fillfactor = 70);
