/**
 * A run (or a response) waiting for the client: each function call gets an output typed by hand, each
 * `approve_action` call an Approve / Decline decision. Once every call is answered, the outputs go in
 * one submission.
 */
import { useState } from 'react';
import type { FunctionCall } from '../api/api-objects.ts';
import { formatTime } from '../ui/format.ts';
import { ApprovalView } from './approval-view.tsx';
import { APPROVAL_FUNCTION_NAME } from './approval.ts';
import { FunctionCallForm } from './function-call-form.tsx';

export interface ToolOutput {
  tool_call_id: string;
  output: string;
}

export interface RequiredActionPanelProps {
  calls: FunctionCall[];
  /** What waits: a run (Assistants) or a response (the Responses API). */
  subject?: 'run' | 'response';
  expiresAt?: number | null | undefined;
  onSubmit(outputs: ToolOutput[]): Promise<void>;
}

export function RequiredActionPanel({
  calls,
  subject = 'run',
  expiresAt,
  onSubmit,
}: RequiredActionPanelProps) {
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);

  const answer = async (callId: string, output: string) => {
    const next = { ...answers, [callId]: output };
    setAnswers(next);
    if (calls.every((call) => call.id in next)) {
      setSubmitting(true);
      try {
        await onSubmit(calls.map((call) => ({ tool_call_id: call.id, output: next[call.id]! })));
      } finally {
        setSubmitting(false);
      }
    }
  };

  return (
    <section className="required-action card" aria-labelledby="required-action-title">
      <h2 id="required-action-title">The {subject} is waiting for you</h2>
      <p className="muted">
        {calls.length === 1 ? 'Answer this call' : `Answer all ${calls.length} calls`} to continue
        the {subject}
        {expiresAt ? ` before ${formatTime(expiresAt)}` : ''}.
      </p>
      {calls.map((call) =>
        call.id in answers ? (
          <p key={call.id} className="answered" role="status">
            Answered <code>{call.function.name}</code> ({call.id}).
          </p>
        ) : call.function.name === APPROVAL_FUNCTION_NAME ? (
          <ApprovalView
            key={call.id}
            call={call}
            disabled={submitting}
            onAnswer={(output) => void answer(call.id, output)}
          />
        ) : (
          <FunctionCallForm
            key={call.id}
            call={call}
            disabled={submitting}
            onAnswer={(output) => void answer(call.id, output)}
          />
        ),
      )}
    </section>
  );
}
