import { APP_JS } from './client-script.js'
import { FLOW_EDITOR_JS } from './flow-editor-script.js'
import { APP_CSS } from '../ui/styles.js'

/** FNV-1a of our own scripts and stylesheet: a new build gets new asset URLs, an unchanged one keeps its cache. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(36)
}

export const ASSET_VERSION = fnv1a(APP_JS + APP_CSS + FLOW_EDITOR_JS)
