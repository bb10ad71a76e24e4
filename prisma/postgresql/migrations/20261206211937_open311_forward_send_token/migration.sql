-- AlterTable
ALTER TABLE "Open311Forward" ADD COLUMN     "attemptedAt" TIMESTAMP(3),
ADD COLUMN     "sendToken" TEXT;

