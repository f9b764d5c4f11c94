/** A code_interpreter call: the code it ran, its logs, and the images it produced. */
import type { StepToolCall } from '../api/api-objects.ts';
import { FileImage } from '../files/file-image.tsx';

type CodeCall = Extract<StepToolCall, { type: 'code_interpreter' }>;

export function CodeInterpreterCall({ call }: { call: CodeCall }) {
  const outputs = call.code_interpreter.outputs ?? [];
  return (
    <div className="tool-call-body">
      <h4>Code</h4>
      <pre className="code-block" tabIndex={0} aria-label="Code that ran">
        {call.code_interpreter.input || ' '}
      </pre>
      <h4>Output</h4>
      {outputs.length === 0 && <p className="muted">No output yet.</p>}
      {outputs.map((output, index) =>
        output.type === 'logs' ? (
          <pre key={index} className="logs" tabIndex={0} aria-label="Logs">
            {output.logs}
          </pre>
        ) : (
          <FileImage key={index} fileId={output.image.file_id} />
        ),
      )}
    </div>
  );
}
