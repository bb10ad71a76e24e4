-- AlterTable
ALTER TABLE "Dialoogtafel" ADD COLUMN     "summaryHeard" TEXT,
ADD COLUMN     "summaryNewsItemId" TEXT,
ADD COLUMN     "summaryNext" TEXT,
ADD COLUMN     "summaryPublishedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Registration" ADD COLUMN     "channelIdentityId" TEXT,
ADD COLUMN     "checkedInAt" TIMESTAMP(3),
ADD COLUMN     "promotedAt" TIMESTAMP(3),
ADD COLUMN     "promotionSentAt" TIMESTAMP(3),
ADD COLUMN     "reminderSentAt" TIMESTAMP(3),
ADD COLUMN     "summarySentAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Dialoogtafel_status_startsAt_idx" ON "Dialoogtafel"("status", "startsAt");

-- CreateIndex
CREATE INDEX "Registration_channelIdentityId_idx" ON "Registration"("channelIdentityId");

-- AddForeignKey
ALTER TABLE "Registration" ADD CONSTRAINT "Registration_channelIdentityId_fkey" FOREIGN KEY ("channelIdentityId") REFERENCES "ChannelIdentity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

