import type { Page } from 'playwright-core'

/**
 * A screenshot for test-artifacts/. A full-page shot is taken from the top of the page: Chromium
 * captures beyond the viewport without scrolling, so sticky and fixed elements (the mini-app's
 * sticky topbar, which is right on a phone) are drawn where they sit at the current scroll position.
 * After a test has filled a field far down the page that is the middle of the picture, with a blank
 * strip at the top. Scrolled to the top, the picture reads like the page: topbar first, once.
 */
export async function screenshot(page: Page, path: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const fullPage = options.fullPage ?? true
  if (fullPage) {
    await page.evaluate(() => window.scrollTo(0, 0))
    // Let the scroll paint before the capture.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
  }
  await page.screenshot({ path, fullPage })
}
