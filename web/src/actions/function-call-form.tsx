/** A function call the assistant made: its arguments, and a box for the output the user submits by hand. */
import { useId, useState, type FormEvent } from 'react';
import type { FunctionCall } from '../api/api-objects.ts';
import { JsonView } from '../ui/json-view.tsx';

export interface FunctionCallFormProps {
  call: FunctionCall;
  disabled: boolean;
  onAnswer(output: string): void;
}

export function FunctionCallForm({ call, disabled, onAnswer }: FunctionCallFormProps) {
  const [output, setOutput] = useState('');
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onAnswer(output);
  };
  return (
    <form
      className="function-call"
      onSubmit={submit}
      aria-labelledby={`${id}-title`}
      data-call-id={call.id}
    >
      <h3 id={`${id}-title`}>
        <code>{call.function.name}</code> was called
      </h3>
      <p className="muted">
        Call <code>{call.id}</code>, arguments:
      </p>
      <JsonView value={call.function.arguments} label={`Arguments of ${call.function.name}`} />
      <div className="field">
        <label htmlFor={`${id}-output`}>Output of {call.function.name}</label>
        <textarea
          id={`${id}-output`}
          className="code"
          rows={3}
          value={output}
          onChange={(event) => setOutput(event.target.value)}
        />
      </div>
      <button type="submit" className="primary" disabled={disabled}>
        Submit output
      </button>
    </form>
  );
}
