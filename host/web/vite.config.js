// Builds the page into the directory the host serves. The output directory
// comes from --outDir or RUNNEL_WEB_OUT_DIR (CMake passes it); dist/ when
// neither is given. Everything is bundled: no CDN, no download at run time.
// package.json pins rollup (overrides) to a release whose platform packages
// are all on the registry this project uses, so the lock file lists every
// platform and `npm ci` accepts it.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: process.env.RUNNEL_WEB_OUT_DIR || 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev` against a host on RUNNEL_HOST (default localhost:3000).
    proxy: {
      '/api': {
        target: `http://${process.env.RUNNEL_HOST || 'localhost:3000'}`,
        ws: true,
      },
    },
  },
});
