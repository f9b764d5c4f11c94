/** One function tool: name, description and the JSON Schema of its parameters. */
import type { FunctionDraft } from './assistant-draft.ts';

export interface FunctionToolEditorProps {
  draft: FunctionDraft;
  index: number;
  onChange(draft: FunctionDraft): void;
  onRemove(): void;
}

export function FunctionToolEditor({ draft, index, onChange, onRemove }: FunctionToolEditorProps) {
  const id = `function-${draft.key}`;
  return (
    <fieldset className="function-tool">
      <legend>Function {index + 1}</legend>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={draft.name}
          pattern="[a-zA-Z0-9_\-]{1,64}"
          onChange={(event) => onChange({ ...draft, name: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <input
          id={`${id}-description`}
          value={draft.description}
          onChange={(event) => onChange({ ...draft, description: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-parameters`}>Parameters (JSON Schema)</label>
        <textarea
          id={`${id}-parameters`}
          className="code"
          rows={6}
          spellCheck={false}
          value={draft.parameters}
          onChange={(event) => onChange({ ...draft, parameters: event.target.value })}
        />
      </div>
      <button type="button" className="danger-quiet" onClick={onRemove}>
        Remove function {draft.name || index + 1}
      </button>
    </fieldset>
  );
}
