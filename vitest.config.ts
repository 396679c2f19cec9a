import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The LSP, HTTP and browser suites start processes; two cores are enough for two files at once.
    maxWorkers: 2,
  },
});
