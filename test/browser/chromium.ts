import { chromium, type Browser } from 'playwright-core'

/**
 * Debian's Chromium (never a downloaded browser), headless, with its background traffic off: this
 * machine's closed network refuses those connections, many at a time, and they would only add noise.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  })
}
