// Vite config for the NOC dashboard SPA. The server serves dist/ and the API on :8080 in production.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const backend = 'http://127.0.0.1:8080';
const proxy = {
  '/api': { target: backend, changeOrigin: false },
  '/healthz': { target: backend, changeOrigin: false },
  '/socket.io': { target: backend, ws: true, changeOrigin: false },
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      // @camfleet/shared's barrel also re-exports server-side domain tables (e.g. the holiday table).
      // Its modules have no import-time side effects, so let unused ones (and their data) be dropped.
      treeshake: {
        moduleSideEffects: [
          { test: /^(?!.*node_modules).*[\\/]shared[\\/]src[\\/]/, sideEffects: false },
          { test: /[\\/]node_modules[\\/]@holiday-jp[\\/]/, sideEffects: false },
        ],
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
});
