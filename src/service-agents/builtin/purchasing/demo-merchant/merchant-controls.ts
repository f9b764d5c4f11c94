/**
 * Test controls of the demo merchant: what a real merchant does to a buyer now and then. Tests set them
 * in process; the standalone merchant also accepts them at `POST /_demo/controls` when started with
 * `--test-controls`.
 */

export interface MerchantControls {
  /** Every request waits this long before it is handled (a slow merchant). */
  delayMilliseconds: number;
  /** Every request is answered 503 (a merchant that is down). */
  down: boolean;
  /**
   * The next checkout completion fails with a 500: `before_charge` charges nothing; `after_charge`
   * charges and completes the order first (a merchant that crashed after taking the money).
   */
  failNextComplete: 'before_charge' | 'after_charge' | null;
  /** The PSP declines the next charge (insufficient funds). */
  declineNextCharge: boolean;
}

export function defaultControls(): MerchantControls {
  return { delayMilliseconds: 0, down: false, failNextComplete: null, declineNextCharge: false };
}
