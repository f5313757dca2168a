// Builds the arena to client-template/dist (served by the matchmaker's --static-dir). Workspace
// packages resolve to their TypeScript sources, so no prior `tsc -b` is needed for the bundle.
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    target: 'es2022',
  },
  server: { host: '127.0.0.1' },
});
