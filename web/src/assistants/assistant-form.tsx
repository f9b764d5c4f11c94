/** Creates or edits one assistant; deleting asks for a second, explicit confirmation. */
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/api-context.tsx';
import type { Assistant, Model, ServiceAgent, VectorStore } from '../api/api-objects.ts';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { DraftError, draftOf, paramsOf, type AssistantDraft } from './assistant-draft.ts';
import { ModelPicker } from './model-picker.tsx';
import { ToolsFieldset } from './tools-fieldset.tsx';

export interface AssistantFormProps {
  assistant: Assistant | undefined;
  models: Model[];
  vectorStores: VectorStore[];
  serviceAgents: ServiceAgent[];
  onSaved(assistant: Assistant): void;
  onDeleted(id: string): void;
}

export function AssistantForm({
  assistant,
  models,
  vectorStores,
  serviceAgents,
  onSaved,
  onDeleted,
}: AssistantFormProps) {
  const api = useApi();
  const [draft, setDraft] = useState<AssistantDraft>(() => draftOf(assistant));
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [saved, setSaved] = useState(false);

  const field = (key: keyof AssistantDraft) => ({
    value: draft[key] as string,
    onChange: (event: { target: { value: string } }) => {
      setSaved(false);
      setDraft({ ...draft, [key]: event.target.value });
    },
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    let params: Record<string, unknown>;
    try {
      params = paramsOf(draft);
    } catch (failure) {
      if (failure instanceof DraftError) document.getElementById(failure.fieldId)?.focus();
      setError((failure as Error).message);
      return;
    }
    setSaving(true);
    try {
      const result = await api.post<Assistant>(
        assistant ? `/v1/assistants/${assistant.id}` : '/v1/assistants',
        params,
      );
      setSaved(true);
      onSaved(result);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!assistant) return;
    try {
      await api.delete(`/v1/assistants/${assistant.id}`);
      onDeleted(assistant.id);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <form
      className="card assistant-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="assistant-form-title"
    >
      <h2 id="assistant-form-title">
        {assistant ? `Edit ${assistant.name ?? assistant.id}` : 'New assistant'}
      </h2>
      {assistant && (
        <p className="muted">
          <code>{assistant.id}</code>
        </p>
      )}
      <div className="field">
        <label htmlFor="assistant-name">Name</label>
        <input id="assistant-name" {...field('name')} />
      </div>
      <ModelPicker
        value={draft.model}
        models={models}
        onChange={(model) => setDraft({ ...draft, model })}
      />
      <div className="field">
        <label htmlFor="assistant-instructions">Instructions</label>
        <textarea id="assistant-instructions" rows={5} {...field('instructions')} />
      </div>
      <div className="field">
        <label htmlFor="assistant-description">Description</label>
        <input id="assistant-description" {...field('description')} />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="assistant-temperature">Temperature</label>
          <input
            id="assistant-temperature"
            inputMode="decimal"
            placeholder="default"
            {...field('temperature')}
          />
        </div>
        <div className="field">
          <label htmlFor="assistant-top-p">Top P</label>
          <input
            id="assistant-top-p"
            inputMode="decimal"
            placeholder="default"
            {...field('topP')}
          />
        </div>
      </div>
      <ToolsFieldset
        draft={draft}
        vectorStores={vectorStores}
        serviceAgents={serviceAgents}
        onChange={(changed) => {
          setSaved(false);
          setDraft(changed);
        }}
      />
      <ErrorBanner error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={saving}>
          {assistant ? 'Save changes' : 'Create assistant'}
        </button>
        <span role="status" className="muted">
          {saved ? 'Saved.' : ''}
        </span>
        {assistant &&
          (confirmingDelete ? (
            <span className="confirm">
              <button type="button" className="danger" onClick={() => void remove()}>
                Yes, delete {assistant.name ?? assistant.id}
              </button>
              <button type="button" onClick={() => setConfirmingDelete(false)}>
                Keep it
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="danger-quiet"
              onClick={() => setConfirmingDelete(true)}
            >
              Delete assistant
            </button>
          ))}
      </div>
    </form>
  );
}
