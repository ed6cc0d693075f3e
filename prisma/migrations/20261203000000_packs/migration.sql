-- Packs: the demo store's orders and invoices leave Baton's core schema (they live
-- behind the pack's own back-end now), and every ledger row records the pack version
-- that decided it.
DROP TABLE IF EXISTS "Invoice";
DROP TABLE IF EXISTS "Order";

ALTER TABLE "HandoffEvent" ADD COLUMN "packVersion" TEXT;
