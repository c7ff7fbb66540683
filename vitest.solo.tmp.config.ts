import { defineConfig } from 'vitest/config';
export default defineConfig({ root: '.', test: { include: ['**/*.test.ts'], exclude: ['**/node_modules/**'], testTimeout: 60000 } });
