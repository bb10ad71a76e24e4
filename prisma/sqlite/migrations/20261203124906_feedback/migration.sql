-- CreateTable
CREATE TABLE "Feedback" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "gemeenteId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "skipReason" TEXT,
    "score" INTEGER,
    "scoreMessageId" TEXT,
    "commentMessageId" TEXT,
    "reopened" BOOLEAN NOT NULL DEFAULT false,
    "askedAs" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "askedAt" DATETIME,
    "scoredAt" DATETIME,
    "commentedAt" DATETIME,
    CONSTRAINT "Feedback_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Feedback_conversationId_key" ON "Feedback"("conversationId");

-- CreateIndex
CREATE INDEX "Feedback_status_createdAt_idx" ON "Feedback"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Feedback_gemeenteId_scoredAt_idx" ON "Feedback"("gemeenteId", "scoredAt");

