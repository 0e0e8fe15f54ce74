// Browser end-to-end suite: the built engine as a child process, driven through Debian's chromium
// with playwright-core. Run `npm run build` first; then `npx vitest run -c vitest.e2e.config.ts`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
