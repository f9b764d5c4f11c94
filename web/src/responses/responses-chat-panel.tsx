/**
 * Chat through the Responses API: each message is a response chained to the previous one, streamed
 * live; a response that ends on function calls (or an `approve_action` proposal) shows the same
 * panel as a run in `requires_action`, answered with `function_call_output` items. Each response
 * has an inspector with its stream events.
 */
import { Fragment } from 'react';
import { RequiredActionPanel } from '../actions/required-action-panel.tsx';
import { useApi } from '../api/api-context.tsx';
import type { Assistant, FunctionCall } from '../api/api-objects.ts';
import { Composer } from '../chat/composer.tsx';
import { MessageText } from '../chat/message-text.tsx';
import { FileImage } from '../files/file-image.tsx';
import { FileNameLink } from '../files/file-name-link.tsx';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { pendingCalls } from './live-response.ts';
import { ResponseEventsInspector } from './response-events-inspector.tsx';
import { ResponseItemView } from './response-item-view.tsx';
import { useResponsesChat, type ResponseTurn } from './use-responses-chat.ts';

function TurnInput({ input }: { input: ResponseTurn['input'] }) {
  if (input.type === 'outputs')
    return (
      <p className="muted answered">
        Sent {input.outputs.length === 1 ? 'the output' : `${input.outputs.length} outputs`} (
        {input.outputs.map((output) => output.tool_call_id).join(', ')}).
      </p>
    );
  return (
    <article className="message message-user" aria-label="Your message">
      <header className="message-header">
        <span className="message-role">You</span>
      </header>
      {input.text.trim() && <MessageText value={input.text} annotations={[]} />}
      {input.files
        .filter((file) => file.image)
        .map((file) => (
          <FileImage key={file.id} fileId={file.id} />
        ))}
      {input.files.some((file) => !file.image) && (
        <ul className="attachments" aria-label="Attachments">
          {input.files
            .filter((file) => !file.image)
            .map((file) => (
              <li key={file.id}>
                <FileNameLink fileId={file.id} prefix="📎 " /> (input_file)
              </li>
            ))}
        </ul>
      )}
    </article>
  );
}

export function ResponsesChatPanel({ assistant }: { assistant: Assistant | undefined }) {
  const api = useApi();
  const chat = useResponsesChat(api, assistant);
  const last = chat.turns.at(-1);
  const waiting = last && !chat.streaming ? pendingCalls(last.live) : [];
  const calls: FunctionCall[] = waiting.map((item) => ({
    id: item.call_id,
    type: 'function',
    function: { name: item.name, arguments: item.arguments },
  }));

  return (
    <>
      <div className="messages" role="log" aria-label="Messages" aria-busy={chat.streaming}>
        {chat.turns.length === 0 && (
          <p className="muted empty-chat">Send a message to start a chain of responses.</p>
        )}
        {chat.turns.map((turn, index) => (
          <Fragment key={index}>
            <TurnInput input={turn.input} />
            {turn.live.items.map((item, position) => (
              <ResponseItemView key={position} item={item} />
            ))}
            <ResponseEventsInspector live={turn.live} />
          </Fragment>
        ))}
      </div>
      <ErrorBanner error={chat.error ?? last?.live.error} />
      {chat.turns.length > 0 && (
        <div className="run-status">
          <button type="button" disabled={chat.streaming} onClick={chat.reset}>
            Start over
          </button>
        </div>
      )}
      {calls.length > 0 && (
        <RequiredActionPanel
          key={calls.map((call) => call.id).join()}
          subject="response"
          calls={calls}
          onSubmit={chat.submitToolOutputs}
        />
      )}
      <Composer
        disabled={!assistant || chat.streaming || calls.length > 0}
        disabledReason={
          !assistant
            ? 'Create an assistant first.'
            : calls.length > 0
              ? 'Answer the response above first.'
              : chat.streaming
                ? 'The assistant is answering…'
                : undefined
        }
        onSend={chat.send}
      />
    </>
  );
}
