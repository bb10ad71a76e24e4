-- CreateTable
CREATE TABLE "WijDedenItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gemeenteId" TEXT NOT NULL,
    "wijkId" TEXT NOT NULL,
    "conversationId" TEXT,
    "theme" TEXT,
    "said" TEXT NOT NULL,
    "did" TEXT NOT NULL,
    "publishedAt" DATETIME NOT NULL,
    "createdByStaffId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "WijDedenItem_wijkId_fkey" FOREIGN KEY ("wijkId") REFERENCES "Wijk" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WijDedenItem_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "WijDedenItem_conversationId_key" ON "WijDedenItem"("conversationId");

-- CreateIndex
CREATE INDEX "WijDedenItem_wijkId_publishedAt_idx" ON "WijDedenItem"("wijkId", "publishedAt");

