import { createRequire, isBuiltin } from 'node:module'
import type { Plugin } from 'vitest/config'

const NODE_PROCESS = new URL('./node-process.cjs', import.meta.url).pathname

/**
 * Makes `require()` inside the Workers tests resolve the way Node (and wrangler's bundler) does, so
 * CommonJS packages such as mysql2 load in workerd as they will in the deployed bundle. Two gaps in
 * @cloudflare/vitest-pool-workers 0.15.1 need it:
 * - it resolves with the "module" field/condition even for `require()`, so `require('lru.min')` gets
 *   the ES module build and mysql2 finds its exports undefined;
 * - its list of workerd's built-in modules lacks `node:process`, so `require('node:process')` fails
 *   although workerd has the module (with nodejs_compat): it is handed workerd's global `process`.
 */
export const workerdRequireResolution: Plugin = {
  name: 'workerd-require-resolution',
  enforce: 'pre',
  resolveId(source, importer, options) {
    const isRequire = (options as { custom?: Record<string, { isRequire?: boolean } | undefined> }).custom?.['node-resolve']?.isRequire
    if (!isRequire || !importer) return null
    if (source === 'node:process' || source === 'process') return NODE_PROCESS
    if (source.startsWith('.') || source.startsWith('/') || isBuiltin(source)) return null
    try {
      return createRequire(importer).resolve(source)
    } catch {
      // Optional packages a library probes for (mysql2's `cardinal`): let the pool report them as missing.
      return null
    }
  },
}
