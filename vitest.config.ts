import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: fabric-contract-api dispatches on decorator metadata (emitDecoratorMetadata),
// which esbuild does not emit.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // The chaincode package from source: its main entry and its test builders (`@gx/chaincode/testing`).
    alias: [
      { find: /^@gx\/chaincode$/, replacement: new URL('./chaincode/src/index.ts', import.meta.url).pathname },
      {
        find: /^@gx\/chaincode\/testing$/,
        replacement: new URL('./chaincode/src/testing/index.ts', import.meta.url).pathname,
      },
    ],
  },
  test: {
    include: ['test/**/*.spec.ts', 'src/**/*.spec.ts', 'chaincode/src/**/*.spec.ts', 'bench/**/*.spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
