import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "flows/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Resident text must never reach test logs either; the service logs at warn in tests.
    env: { LOG_LEVEL: "warn" },
  },
});
