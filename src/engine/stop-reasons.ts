/** Why a worker aborts a run it executes: the abort signal's reason says which ending applies. */

/** A client cancelled the run. */
export class CancelRequested extends Error {
  override name = 'CancelRequested';
}

/** This worker is shutting down or lost the lease: hand the run back, end nothing. */
export class HandBack extends Error {
  override name = 'HandBack';
}
