/**
 * Third-party browser files served from our own origin, straight out of node_modules (installed by
 * `npm ci`, pinned in package-lock): no CDN, no download at run time. Read once, kept in memory.
 * Node reads them from disk; a Workers build must bundle them as text modules (see README).
 */
const VENDOR_FILES = {
  'uplot.js': { module: 'uplot/dist/uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'uplot.css': { module: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
} as const

export type VendorAsset = keyof typeof VENDOR_FILES

const cache = new Map<VendorAsset, Promise<string>>()

export function isVendorAsset(name: string): name is VendorAsset {
  return Object.hasOwn(VENDOR_FILES, name)
}

export function vendorAssetType(name: VendorAsset): string {
  return VENDOR_FILES[name].type
}

export function readVendorAsset(name: VendorAsset): Promise<string> {
  let text = cache.get(name)
  if (!text) {
    text = (async () => {
      const { createRequire } = await import('node:module')
      const { readFile } = await import('node:fs/promises')
      return readFile(createRequire(import.meta.url).resolve(VENDOR_FILES[name].module), 'utf8')
    })()
    text.catch(() => cache.delete(name))
    cache.set(name, text)
  }
  return text
}
