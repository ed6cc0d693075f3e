-- AlterTable
ALTER TABLE "Message" ADD COLUMN "retryAt" TIMESTAMPTZ(3);
