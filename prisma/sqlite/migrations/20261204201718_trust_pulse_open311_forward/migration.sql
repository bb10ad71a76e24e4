-- CreateTable
CREATE TABLE "Open311Forward" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "serviceCode" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "externalId" TEXT,
    "externalToken" TEXT,
    "externalStatus" TEXT,
    "externalNotes" TEXT,
    "nextPollAt" DATETIME,
    "pollFailures" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "closedAt" DATETIME,
    CONSTRAINT "Open311Forward_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TrustPulse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gemeenteId" TEXT NOT NULL,
    "residentId" TEXT,
    "wijkId" TEXT,
    "conversationId" TEXT,
    "quarter" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "score" INTEGER,
    "offeredAt" DATETIME NOT NULL,
    "scoredAt" DATETIME,
    CONSTRAINT "TrustPulse_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Resident" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "TrustPulse_wijkId_fkey" FOREIGN KEY ("wijkId") REFERENCES "Wijk" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "TrustPulse_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Open311Forward_conversationId_key" ON "Open311Forward"("conversationId");

-- CreateIndex
CREATE INDEX "Open311Forward_status_nextAttemptAt_idx" ON "Open311Forward"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Open311Forward_status_nextPollAt_idx" ON "Open311Forward"("status", "nextPollAt");

-- CreateIndex
CREATE UNIQUE INDEX "TrustPulse_conversationId_key" ON "TrustPulse"("conversationId");

-- CreateIndex
CREATE INDEX "TrustPulse_gemeenteId_scoredAt_idx" ON "TrustPulse"("gemeenteId", "scoredAt");

-- CreateIndex
CREATE INDEX "TrustPulse_wijkId_scoredAt_idx" ON "TrustPulse"("wijkId", "scoredAt");

-- CreateIndex
CREATE UNIQUE INDEX "TrustPulse_residentId_quarter_key" ON "TrustPulse"("residentId", "quarter");

