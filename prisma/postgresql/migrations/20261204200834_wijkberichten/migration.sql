-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "frequency" TEXT NOT NULL DEFAULT 'each';

-- CreateTable
CREATE TABLE "Wijkbericht" (
    "id" TEXT NOT NULL,
    "gemeenteId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "imageUrl" TEXT,
    "link" TEXT,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "scheduledAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "queuedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "authorKind" TEXT NOT NULL,
    "authorStaffId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Wijkbericht_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WijkberichtWijk" (
    "wijkberichtId" TEXT NOT NULL,
    "wijkId" TEXT NOT NULL,

    CONSTRAINT "WijkberichtWijk_pkey" PRIMARY KEY ("wijkberichtId","wijkId")
);

-- CreateTable
CREATE TABLE "WijkberichtDelivery" (
    "id" TEXT NOT NULL,
    "wijkberichtId" TEXT NOT NULL,
    "residentId" TEXT NOT NULL,
    "channelIdentityId" TEXT NOT NULL,
    "outboxMessageId" TEXT,
    "messageId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "form" TEXT NOT NULL DEFAULT 'text',
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WijkberichtDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WijkberichtBundle" (
    "id" TEXT NOT NULL,
    "channelIdentityId" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "berichten" INTEGER NOT NULL,
    "outboxMessageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WijkberichtBundle_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Wijkbericht_gemeenteId_createdAt_idx" ON "Wijkbericht"("gemeenteId", "createdAt");

-- CreateIndex
CREATE INDEX "Wijkbericht_status_scheduledAt_idx" ON "Wijkbericht"("status", "scheduledAt");

-- CreateIndex
CREATE INDEX "WijkberichtWijk_wijkId_idx" ON "WijkberichtWijk"("wijkId");

-- CreateIndex
CREATE UNIQUE INDEX "WijkberichtDelivery_outboxMessageId_key" ON "WijkberichtDelivery"("outboxMessageId");

-- CreateIndex
CREATE INDEX "WijkberichtDelivery_wijkberichtId_status_idx" ON "WijkberichtDelivery"("wijkberichtId", "status");

-- CreateIndex
CREATE INDEX "WijkberichtDelivery_channelIdentityId_createdAt_idx" ON "WijkberichtDelivery"("channelIdentityId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "WijkberichtDelivery_wijkberichtId_channelIdentityId_key" ON "WijkberichtDelivery"("wijkberichtId", "channelIdentityId");

-- CreateIndex
CREATE UNIQUE INDEX "WijkberichtBundle_channelIdentityId_week_key" ON "WijkberichtBundle"("channelIdentityId", "week");

-- CreateIndex
CREATE INDEX "Subscription_wijkId_cancelledAt_idx" ON "Subscription"("wijkId", "cancelledAt");

-- AddForeignKey
ALTER TABLE "Wijkbericht" ADD CONSTRAINT "Wijkbericht_authorStaffId_fkey" FOREIGN KEY ("authorStaffId") REFERENCES "StaffUser"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WijkberichtWijk" ADD CONSTRAINT "WijkberichtWijk_wijkberichtId_fkey" FOREIGN KEY ("wijkberichtId") REFERENCES "Wijkbericht"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WijkberichtWijk" ADD CONSTRAINT "WijkberichtWijk_wijkId_fkey" FOREIGN KEY ("wijkId") REFERENCES "Wijk"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WijkberichtDelivery" ADD CONSTRAINT "WijkberichtDelivery_wijkberichtId_fkey" FOREIGN KEY ("wijkberichtId") REFERENCES "Wijkbericht"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WijkberichtDelivery" ADD CONSTRAINT "WijkberichtDelivery_channelIdentityId_fkey" FOREIGN KEY ("channelIdentityId") REFERENCES "ChannelIdentity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WijkberichtDelivery" ADD CONSTRAINT "WijkberichtDelivery_outboxMessageId_fkey" FOREIGN KEY ("outboxMessageId") REFERENCES "OutboxMessage"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WijkberichtBundle" ADD CONSTRAINT "WijkberichtBundle_channelIdentityId_fkey" FOREIGN KEY ("channelIdentityId") REFERENCES "ChannelIdentity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

