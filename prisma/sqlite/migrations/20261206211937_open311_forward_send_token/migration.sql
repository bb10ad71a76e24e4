-- AlterTable
ALTER TABLE "Open311Forward" ADD COLUMN "attemptedAt" DATETIME;
ALTER TABLE "Open311Forward" ADD COLUMN "sendToken" TEXT;

