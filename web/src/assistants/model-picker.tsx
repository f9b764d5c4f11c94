/** The model field: free text, suggesting the models the server's configured providers list (`GET /v1/models`). */
import type { Model } from '../api/api-objects.ts';

export interface ModelPickerProps {
  value: string;
  models: Model[];
  onChange(value: string): void;
}

export function ModelPicker({ value, models, onChange }: ModelPickerProps) {
  return (
    <div className="field">
      <label htmlFor="assistant-model">Model</label>
      <input
        id="assistant-model"
        list="configured-models"
        required
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby="assistant-model-hint"
      />
      <datalist id="configured-models">
        {models.map((model) => (
          <option key={model.id} value={model.id}>
            {model.owned_by}
          </option>
        ))}
      </datalist>
      <p id="assistant-model-hint" className="hint">
        {models.length > 0
          ? `${models.length} configured: ${models.map((model) => model.id).join(', ')}`
          : 'No provider lists models (add a "models" array to a provider); any model name works.'}
      </p>
    </div>
  );
}
