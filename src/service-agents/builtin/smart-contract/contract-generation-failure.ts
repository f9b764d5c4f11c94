/**
 * Why a contract could not be generated, as a result the model can read and act on: invalid options
 * name the option; compile errors list solc's messages, one `file:line:column: Kind: message` per line.
 */
import { SolidityCompilationError } from '../../../chain/solidity-compiler.ts';
import { InvalidRequestError } from '../../../domain/errors.ts';
import type { AgentStepResult } from '../../builtin-agent.ts';

/** `failed` for a generation problem the model can fix or relay; undefined for anything unexpected. */
export function contractGenerationFailure(
  error: unknown,
): Extract<AgentStepResult, { kind: 'failed' }> | undefined {
  if (error instanceof SolidityCompilationError) {
    return {
      kind: 'failed',
      output: `The contract did not compile:\n${error.errors.join('\n')}`,
      data: { status: 'compilation_failed', errors: [...error.errors] },
    };
  }
  if (error instanceof InvalidRequestError) {
    return {
      kind: 'failed',
      output: `The contract options are invalid: ${error.message}`,
      data: { status: 'invalid_options', param: error.param },
    };
  }
  return undefined;
}
