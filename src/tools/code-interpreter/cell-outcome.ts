/**
 * Turns what a kernel process did during a cell into the model-readable part of a `CellResult`.
 * Shared by both adapters, so the model reads the same words whichever backend ran its code.
 */
import { z } from 'zod';
import type { KernelExit, KernelOutcome } from './kernel-process.ts';
import type { CellError, CellResult, KilledReason } from './sandbox.ts';

/** A kernel's answer to one cell, as both kernels send it. */
const CellAnswerSchema = z.object({
  id: z.number(),
  logs: z.string(),
  error: z.object({ name: z.string(), message: z.string(), traceback: z.string() }).nullable(),
  timedOut: z.boolean(),
  /** Threads the cell left running (the bwrap kernel reports them; the session must restart). */
  strayThreads: z.number().int().nonnegative().optional(),
});

const LOST = 'The Python session was restarted: variables are lost, files in /mnt/data are kept.';

export type CellOutcome = Omit<CellResult, 'outputFiles'>;

/** The result for `outcome`, the answer expected to carry `id`. */
export function cellOutcome(outcome: KernelOutcome, id: number, timeoutMs: number): CellOutcome {
  switch (outcome.kind) {
    case 'message': {
      const answer = CellAnswerSchema.safeParse(outcome.message);
      if (!answer.success || answer.data.id !== id)
        return killed('protocol', 'The Python process sent an answer Concierge could not read.');
      const { logs, error, timedOut, strayThreads = 0 } = answer.data;
      if (strayThreads === 0) return { logs, error, timedOut };
      const plural = strayThreads === 1 ? 'thread' : 'threads';
      const notice =
        `[concierge] The cell left ${strayThreads} ${plural} running after it ended. A cell's work must ` +
        `finish within the cell (join threads before it ends), so the Python session was restarted: ${LOST}`;
      const separator = logs === '' || logs.endsWith('\n') ? '' : '\n';
      return { logs: `${logs}${separator}${notice}\n`, error, timedOut, killedReason: 'threads' };
    }
    case 'timeout':
      return {
        ...killed(
          'timeout',
          `The cell ran longer than ${timeoutMs / 1000} s and had to be killed.`,
          'TimeoutError',
        ),
        timedOut: true,
      };
    case 'aborted':
      return killed(
        'cancelled',
        'The cell was cancelled while it ran (its run was stopped), and the Python process was killed.',
        'CancelledError',
      );
    case 'protocol':
      return killed(
        'protocol',
        `The Python process broke the sandbox protocol (${outcome.detail}).`,
      );
    case 'exit':
      return exited(outcome.exit);
  }
}

/** A cell whose signal aborted before it began: nothing ran, the session is as it was. */
export function cancelledBeforeStart(): CellResult {
  const message = 'The cell was cancelled before it started (its run was stopped); nothing ran.';
  return {
    logs: '',
    error: { name: 'CancelledError', message, traceback: '' },
    timedOut: false,
    outputFiles: [],
  };
}

function exited(exit: KernelExit): CellOutcome {
  const signal = exit.signal ?? signalFromStatus(exit.code);
  if (signal === 'SIGXCPU')
    return killed(
      'cpu-limit',
      'The session used up its CPU time budget and was stopped.',
      'ResourceLimitError',
    );
  if (signal)
    return killed(
      'killed',
      `The Python process was killed (${signal}), for example because it ran out of a resource limit.`,
    );
  return killed(
    'exited',
    `The Python process exited (code ${exit.code ?? 'unknown'}) during the cell.`,
    'SystemExit',
  );
}

/** bwrap reports a child killed by signal N as exit code 128 + N. */
function signalFromStatus(code: number | null): NodeJS.Signals | undefined {
  if (code === null || code <= 128 || code > 128 + 64) return undefined;
  const names: Record<number, NodeJS.Signals> = {
    6: 'SIGABRT',
    9: 'SIGKILL',
    11: 'SIGSEGV',
    24: 'SIGXCPU',
    25: 'SIGXFSZ',
    15: 'SIGTERM',
  };
  return names[code - 128] ?? 'SIGKILL';
}

function killed(reason: KilledReason, what: string, name = 'SandboxError'): CellOutcome {
  const error: CellError = { name, message: `${what} ${LOST}`, traceback: '' };
  return { logs: '', error, timedOut: false, killedReason: reason };
}
