-- WhatsApp templates: outside the 24-hour window Meta takes only approved templates, so
-- the automatic notices (an agent joined, a transfer, back to the bot, closed) go out as
-- the template registered for them, or not at all.

-- CreateTable
CREATE TABLE "WhatsAppTemplate" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "components" JSONB NOT NULL DEFAULT '[]',
    "parameters" TEXT[],
    "notice" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WhatsAppTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WhatsAppTemplate_name_language_key" ON "WhatsAppTemplate"("name", "language");

-- CreateIndex
CREATE INDEX "WhatsAppTemplate_notice_language_idx" ON "WhatsAppTemplate"("notice", "language");
