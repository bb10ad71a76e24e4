-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "waitingSince" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Conversation_gemeenteId_status_emergency_waitingSince_idx" ON "Conversation"("gemeenteId", "status", "emergency", "waitingSince");

-- CreateIndex
CREATE INDEX "Conversation_tandemId_status_emergency_waitingSince_idx" ON "Conversation"("tandemId", "status", "emergency", "waitingSince");


-- Backfill: an open conversation waits since it last became open (as the inbox computed it from
-- the status history before this column), or since its last message when it has no such change.
UPDATE "Conversation" SET "waitingSince" = COALESCE(
  (SELECT MAX(s."at") FROM "StatusChange" s WHERE s."conversationId" = "Conversation"."id" AND s."toStatus" = 'open'),
  "lastMessageAt"
) WHERE "status" = 'open';
