-- Media: files messages carry. Inbound files are downloaded by the media worker after the
-- webhook has answered (an Outbox row of kind 'media' per file makes that durable);
-- outbound files are uploaded by agents. Rows go with their message (and so with an
-- erased contact's messages, whose files privacy.ts deletes from the store).

-- CreateTable
CREATE TABLE "MediaFile" (
    "id" UUID NOT NULL,
    "messageId" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "channel" "Channel" NOT NULL,
    "direction" "Direction" NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "kind" TEXT NOT NULL,
    "mimeType" TEXT,
    "filename" TEXT,
    "size" INTEGER,
    "source" TEXT,
    "storageKey" TEXT,
    "publicToken" TEXT,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "MediaFile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MediaFile_messageId_idx" ON "MediaFile"("messageId");

-- CreateIndex
CREATE INDEX "MediaFile_conversationId_idx" ON "MediaFile"("conversationId");

-- AddForeignKey
ALTER TABLE "MediaFile" ADD CONSTRAINT "MediaFile_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;
