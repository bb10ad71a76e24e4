-- CreateTable
CREATE TABLE "Wijkbericht" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gemeenteId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "imageUrl" TEXT,
    "link" TEXT,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "scheduledAt" DATETIME,
    "startedAt" DATETIME,
    "queuedAt" DATETIME,
    "finishedAt" DATETIME,
    "cancelledAt" DATETIME,
    "authorKind" TEXT NOT NULL,
    "authorStaffId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Wijkbericht_authorStaffId_fkey" FOREIGN KEY ("authorStaffId") REFERENCES "StaffUser" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WijkberichtWijk" (
    "wijkberichtId" TEXT NOT NULL,
    "wijkId" TEXT NOT NULL,

    PRIMARY KEY ("wijkberichtId", "wijkId"),
    CONSTRAINT "WijkberichtWijk_wijkberichtId_fkey" FOREIGN KEY ("wijkberichtId") REFERENCES "Wijkbericht" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WijkberichtWijk_wijkId_fkey" FOREIGN KEY ("wijkId") REFERENCES "Wijk" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WijkberichtDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "wijkberichtId" TEXT NOT NULL,
    "residentId" TEXT NOT NULL,
    "channelIdentityId" TEXT NOT NULL,
    "outboxMessageId" TEXT,
    "messageId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "form" TEXT NOT NULL DEFAULT 'text',
    "reason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WijkberichtDelivery_wijkberichtId_fkey" FOREIGN KEY ("wijkberichtId") REFERENCES "Wijkbericht" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WijkberichtDelivery_channelIdentityId_fkey" FOREIGN KEY ("channelIdentityId") REFERENCES "ChannelIdentity" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WijkberichtDelivery_outboxMessageId_fkey" FOREIGN KEY ("outboxMessageId") REFERENCES "OutboxMessage" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WijkberichtBundle" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channelIdentityId" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "berichten" INTEGER NOT NULL,
    "outboxMessageId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "WijkberichtBundle_channelIdentityId_fkey" FOREIGN KEY ("channelIdentityId") REFERENCES "ChannelIdentity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Subscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "residentId" TEXT NOT NULL,
    "wijkId" TEXT NOT NULL,
    "channelIdentityId" TEXT NOT NULL,
    "frequency" TEXT NOT NULL DEFAULT 'each',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelledAt" DATETIME,
    CONSTRAINT "Subscription_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Resident" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Subscription_wijkId_fkey" FOREIGN KEY ("wijkId") REFERENCES "Wijk" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Subscription_channelIdentityId_fkey" FOREIGN KEY ("channelIdentityId") REFERENCES "ChannelIdentity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Subscription" ("cancelledAt", "channelIdentityId", "createdAt", "id", "residentId", "wijkId") SELECT "cancelledAt", "channelIdentityId", "createdAt", "id", "residentId", "wijkId" FROM "Subscription";
DROP TABLE "Subscription";
ALTER TABLE "new_Subscription" RENAME TO "Subscription";
CREATE INDEX "Subscription_wijkId_cancelledAt_idx" ON "Subscription"("wijkId", "cancelledAt");
CREATE UNIQUE INDEX "Subscription_residentId_wijkId_channelIdentityId_key" ON "Subscription"("residentId", "wijkId", "channelIdentityId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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

