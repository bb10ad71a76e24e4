-- CreateTable
CREATE TABLE "JobRun" (
    "job" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "claimedBy" TEXT NOT NULL,
    "claimedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,

    PRIMARY KEY ("job", "period")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Resident" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gemeenteId" TEXT NOT NULL,
    "wijkId" TEXT,
    "language" TEXT NOT NULL DEFAULT 'nl',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "erasedAt" DATETIME,
    "exportGeneration" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Resident_gemeenteId_fkey" FOREIGN KEY ("gemeenteId") REFERENCES "Gemeente" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Resident_wijkId_fkey" FOREIGN KEY ("wijkId") REFERENCES "Wijk" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Resident" ("createdAt", "gemeenteId", "id", "language", "lastSeenAt", "wijkId") SELECT "createdAt", "gemeenteId", "id", "language", "lastSeenAt", "wijkId" FROM "Resident";
DROP TABLE "Resident";
ALTER TABLE "new_Resident" RENAME TO "Resident";
CREATE INDEX "Resident_wijkId_idx" ON "Resident"("wijkId");
CREATE TABLE "new_Conversation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "gemeenteId" TEXT NOT NULL,
    "residentId" TEXT,
    "channelIdentityId" TEXT,
    "channel" TEXT NOT NULL,
    "wijkId" TEXT,
    "tandemId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'bot',
    "intent" TEXT,
    "theme" TEXT,
    "emergency" TEXT,
    "assigneeId" TEXT,
    "snoozedUntil" DATETIME,
    "state" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastMessageAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "firstResponseAt" DATETIME,
    "resolvedAt" DATETIME,
    CONSTRAINT "Conversation_gemeenteId_fkey" FOREIGN KEY ("gemeenteId") REFERENCES "Gemeente" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Conversation_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Resident" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Conversation_channelIdentityId_fkey" FOREIGN KEY ("channelIdentityId") REFERENCES "ChannelIdentity" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Conversation_wijkId_fkey" FOREIGN KEY ("wijkId") REFERENCES "Wijk" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Conversation_tandemId_fkey" FOREIGN KEY ("tandemId") REFERENCES "Tandem" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Conversation_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "StaffUser" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Conversation" ("assigneeId", "channel", "channelIdentityId", "createdAt", "emergency", "firstResponseAt", "gemeenteId", "id", "intent", "lastMessageAt", "reference", "residentId", "resolvedAt", "snoozedUntil", "state", "status", "tandemId", "theme", "updatedAt", "wijkId") SELECT "assigneeId", "channel", "channelIdentityId", "createdAt", "emergency", "firstResponseAt", "gemeenteId", "id", "intent", "lastMessageAt", "reference", "residentId", "resolvedAt", "snoozedUntil", "state", "status", "tandemId", "theme", "updatedAt", "wijkId" FROM "Conversation";
DROP TABLE "Conversation";
ALTER TABLE "new_Conversation" RENAME TO "Conversation";
CREATE UNIQUE INDEX "Conversation_reference_key" ON "Conversation"("reference");
CREATE INDEX "Conversation_tandemId_status_lastMessageAt_idx" ON "Conversation"("tandemId", "status", "lastMessageAt");
CREATE INDEX "Conversation_gemeenteId_lastMessageAt_idx" ON "Conversation"("gemeenteId", "lastMessageAt");
CREATE INDEX "Conversation_channelIdentityId_status_idx" ON "Conversation"("channelIdentityId", "status");
CREATE INDEX "Conversation_residentId_status_idx" ON "Conversation"("residentId", "status");
CREATE INDEX "Conversation_wijkId_createdAt_idx" ON "Conversation"("wijkId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

