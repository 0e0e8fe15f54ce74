// Vite build of the Borealis web UI into packages/web/dist (served by the engine with SPA fallback).
// `npm run dev -w @borealis/web` proxies /api and /socket.io to a local engine on https://127.0.0.1:5000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const engine = 'https://127.0.0.1:5000';
const protocolSource = decodeURIComponent(
  new URL('../protocol/src/index.ts', import.meta.url).pathname,
);

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Bundle the protocol from source so the UI never ships a stale contract build.
    alias: { '@borealis/protocol': protocolSource },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': { target: engine, secure: false },
      '/health': { target: engine, secure: false },
      '/socket.io': { target: engine, secure: false, ws: true },
    },
  },
});
