/**
 * Errors of the A2A client. Both are 400s at the HTTP edge (they come from a URL a caller gave), and the
 * service-agent framework can tell them apart to show the model why a remote agent could not be used.
 */
import { InvalidRequestError } from '../../domain/errors.ts';

/** A URL (the card's, its endpoint's, or a redirect's) whose host is not in `a2aAllowedHosts`. */
export class A2aHostNotAllowedError extends InvalidRequestError {
  override name = 'A2aHostNotAllowedError';
  constructor(message: string) {
    super(message, 'url', 'a2a_host_not_allowed');
  }
}

/**
 * The remote agent could not be reached, sent something that is not A2A, or answered with an error.
 * Any text that came from the remote agent is quoted and marked as such in the message.
 */
export class A2aRemoteError extends InvalidRequestError {
  override name = 'A2aRemoteError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'url', 'a2a_remote_error');
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
