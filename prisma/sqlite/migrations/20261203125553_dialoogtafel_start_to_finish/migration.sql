-- AlterTable
ALTER TABLE "Dialoogtafel" ADD COLUMN "summaryHeard" TEXT;
ALTER TABLE "Dialoogtafel" ADD COLUMN "summaryNewsItemId" TEXT;
ALTER TABLE "Dialoogtafel" ADD COLUMN "summaryNext" TEXT;
ALTER TABLE "Dialoogtafel" ADD COLUMN "summaryPublishedAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Registration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "dialoogtafelId" TEXT NOT NULL,
    "residentId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "channelIdentityId" TEXT,
    "promotedAt" DATETIME,
    "promotionSentAt" DATETIME,
    "reminderSentAt" DATETIME,
    "checkedInAt" DATETIME,
    "summarySentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Registration_dialoogtafelId_fkey" FOREIGN KEY ("dialoogtafelId") REFERENCES "Dialoogtafel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Registration_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Resident" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Registration_channelIdentityId_fkey" FOREIGN KEY ("channelIdentityId") REFERENCES "ChannelIdentity" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Registration" ("createdAt", "dialoogtafelId", "id", "residentId", "status", "updatedAt") SELECT "createdAt", "dialoogtafelId", "id", "residentId", "status", "updatedAt" FROM "Registration";
DROP TABLE "Registration";
ALTER TABLE "new_Registration" RENAME TO "Registration";
CREATE INDEX "Registration_channelIdentityId_idx" ON "Registration"("channelIdentityId");
CREATE UNIQUE INDEX "Registration_dialoogtafelId_residentId_key" ON "Registration"("dialoogtafelId", "residentId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Dialoogtafel_status_startsAt_idx" ON "Dialoogtafel"("status", "startsAt");

