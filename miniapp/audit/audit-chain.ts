/** The result of walking the audit log's hash chain, as the approval engine reports it. */
export interface ChainCheck {
  ok: boolean
  checked: number
  /** The first entry whose hash does not follow from its predecessor. */
  brokenAt?: number
  reason?: string
}
