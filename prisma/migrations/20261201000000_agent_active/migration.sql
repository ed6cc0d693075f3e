-- Agents are deactivated (PATCH /api/admin/agents/:id {"active": false}) rather than
-- deleted: the ledger names them. `active` existed from the start; this records when an
-- agent was last deactivated, for the audit trail next to the ledger rows the release
-- of their conversations writes.

-- AlterTable
ALTER TABLE "Agent" ADD COLUMN "deactivatedAt" TIMESTAMPTZ(3);
