/**
 * The chain's typed failures as results the model can relay: a refused simulation, a node that
 * rejected the transaction, a transaction mined but failed, no signer, a chain that cannot be reached
 * (whose message says whether a transaction may already be out). Anything else is a bug and stays an
 * exception.
 */
import {
  ChainSignerMissingError,
  ChainUnavailableError,
  TransactionFailedError,
  TransactionRejectedError,
  TransactionRevertedError,
} from '../../chain/chain-errors.ts';
import type { AgentStepResult } from '../builtin-agent.ts';

/** `failed` for the chain errors a user can cause or must know about; undefined for anything else. */
export function chainFailure(
  error: unknown,
): Extract<AgentStepResult, { kind: 'failed' }> | undefined {
  if (error instanceof TransactionRevertedError) {
    return {
      kind: 'failed',
      output: `The chain refused it in simulation: ${error.message}`,
      data: {
        status: 'simulation_reverted',
        error_name: error.reason.errorName ?? null,
        reason: error.reason.summary,
        sent: false,
      },
    };
  }
  if (error instanceof TransactionRejectedError) {
    return {
      kind: 'failed',
      output: error.message,
      data: { status: 'rejected_by_node', sent: false },
    };
  }
  if (error instanceof TransactionFailedError) {
    return {
      kind: 'failed',
      output: error.message,
      data: { status: 'transaction_failed', transaction_hash: error.hash, sent: true },
    };
  }
  if (error instanceof ChainSignerMissingError) {
    return { kind: 'failed', output: error.message, data: { status: 'no_signer', sent: false } };
  }
  if (error instanceof ChainUnavailableError) {
    return {
      kind: 'failed',
      output: `The chain is unavailable: ${error.message}`,
      data: { status: 'chain_unavailable' },
    };
  }
  return undefined;
}

/** Runs `work`, turning the chain failures above into `failed` results; anything else is rethrown. */
export async function reportingChainFailures(
  work: () => Promise<AgentStepResult>,
): Promise<AgentStepResult> {
  try {
    return await work();
  } catch (error) {
    const failure = chainFailure(error);
    if (failure) return failure;
    throw error;
  }
}
