import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        // Three programs share the main bundle's code: the Electron entry, the engine process that
        // utilityProcess.fork (or child_process.fork) starts, and the browser-serving `npm run serve`.
        input: {
          index: resolve('src/main/index.ts'),
          engine: resolve('src/main/engine-process/engine-child.ts'),
          serve: resolve('src/main/serve/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload is run as a classic script: CommonJS, one file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [svelte()],
    build: {
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
