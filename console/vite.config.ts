// Vite build of the web console. Served by @placements/commissioning at /console/, which builds
// it on start when console/dist is missing or older than these sources.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  build: {
    outDir: 'dist',
    target: 'es2022',
    // echarts is one library of ~0.5 MB after tree shaking; one chunk keeps the console a single load.
    chunkSizeWarningLimit: 1200,
  },
});
