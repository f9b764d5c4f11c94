/**
 * One output item of a response: a message's text, a function call with its arguments (growing as
 * they stream), and any other item (a built-in tool's call, reasoning) as its JSON.
 */
import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import { MessageText } from '../chat/message-text.tsx';
import { JsonView } from '../ui/json-view.tsx';

export function ResponseItemView({ item }: { item: ResponseOutputItem }) {
  switch (item.type) {
    case 'message':
      return (
        <article className="message message-assistant" aria-label="Assistant message">
          <header className="message-header">
            <span className="message-role">Assistant</span>
            {item.status === 'in_progress' && <span className="muted">writing…</span>}
            {item.status === 'incomplete' && (
              <span className="badge badge-attention">incomplete</span>
            )}
          </header>
          {item.content.map((part, index) =>
            part.type === 'output_text' ? (
              <MessageText key={index} value={part.text} annotations={[]} />
            ) : (
              <p key={index} className="refusal">
                Refused: {part.refusal}
              </p>
            ),
          )}
        </article>
      );
    case 'function_call':
      return (
        <section className="tool-call" aria-label={`Function call ${item.name}`}>
          <p className="tool-call-title">
            <span className="tool-type">Function call</span> <code>{item.name}</code>
            <span className="muted">{item.call_id}</span>
          </p>
          <JsonView value={item.arguments} label={`Arguments of ${item.name}`} />
        </section>
      );
    default:
      return (
        <details className="tool-call">
          <summary>
            <code>{item.type}</code>
          </summary>
          <JsonView value={item} label={`Item ${item.type}`} />
        </details>
      );
  }
}
