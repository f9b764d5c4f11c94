/**
 * Chat: pick an assistant, talk in a thread, and watch the run stream: text deltas, tool calls, and a
 * panel to answer function calls or approve proposals when the run needs the user.
 */
import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import type { Assistant, List, Message, Run } from '../api/api-objects.ts';
import { useResource } from '../api/use-resource.ts';
import { RequiredActionPanel } from '../actions/required-action-panel.tsx';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { StatusBadge } from '../ui/status-badge.tsx';
import { AssistantSelect } from './assistant-select.tsx';
import { Composer } from './composer.tsx';
import { isActive } from './live-run.ts';
import { LiveToolCalls } from './live-tool-calls.tsx';
import { MessageView } from './message-view.tsx';
import { rememberThread } from './recent-threads.ts';
import { ThreadSidebar } from './thread-sidebar.tsx';
import { useChat } from './use-chat.ts';
import { ResponsesChatPanel } from '../responses/responses-chat-panel.tsx';

const ASSISTANT_KEY = 'concierge.chat.assistant';
const API_KEY = 'concierge.chat.api';
type ChatApi = 'runs' | 'responses';
function emptyList<Item>(): List<Item> {
  return { data: [], has_more: false, first_id: null, last_id: null };
}

export function ChatPage({ threadId }: { threadId: string | undefined }) {
  const api = useApi();
  const assistants = useResource(() => api.get<List<Assistant>>('/v1/assistants?limit=100'), [api]);
  const messages = useResource(
    () =>
      threadId
        ? api.get<List<Message>>(`/v1/threads/${threadId}/messages?order=asc&limit=100`)
        : Promise.resolve(emptyList<Message>()),
    [api, threadId],
  );
  const runs = useResource(
    () =>
      threadId
        ? api.get<List<Run>>(`/v1/threads/${threadId}/runs?limit=20`)
        : Promise.resolve(emptyList<Run>()),
    [api, threadId],
  );
  const [assistantId, setAssistantId] = useState(() => localStorage.getItem(ASSISTANT_KEY) ?? '');
  const [chatApi, setChatApi] = useState<ChatApi>(() =>
    localStorage.getItem(API_KEY) === 'responses' ? 'responses' : 'runs',
  );
  const list = assistants.value?.data ?? [];
  const assistant = list.find((candidate) => candidate.id === assistantId) ?? list[0];
  const reloadMessages = messages.reload;
  const reloadRuns = runs.reload;
  const onSettled = useCallback(() => {
    reloadMessages();
    reloadRuns();
  }, [reloadMessages, reloadRuns]);
  const chat = useChat(api, threadId, assistant, onSettled);

  useEffect(() => {
    if (threadId) rememberThread(threadId, 'Thread');
  }, [threadId]);

  // While streaming, the stream's copy of a message is the newest; afterwards the stored one is.
  const shown = useMemo(() => {
    const stored = messages.value?.data ?? [];
    const live = chat.live.messages.filter((message) => message.thread_id === threadId);
    const byId = new Map<string, Message>();
    for (const message of chat.streaming ? [...stored, ...live] : [...live, ...stored])
      byId.set(message.id, message);
    return [...byId.values()].sort((a, b) => a.created_at - b.created_at);
  }, [messages.value, chat.live.messages, chat.streaming, threadId]);

  // The streaming run's tool calls go just before that run's first message (or last, before it writes one).
  const liveRunId = chat.live.run?.thread_id === threadId ? chat.live.run?.id : undefined;
  const firstOfRun = shown.findIndex((message) => message.run_id === liveRunId);
  const liveCallsAt = liveRunId === undefined ? -1 : firstOfRun === -1 ? shown.length : firstOfRun;
  const latestRun =
    chat.live.run?.thread_id === threadId && chat.live.run ? chat.live.run : runs.value?.data[0];
  const waiting =
    latestRun?.status === 'requires_action' && !chat.streaming ? latestRun : undefined;
  const running = chat.streaming || isActive(latestRun);

  return (
    <div className="split">
      <ThreadSidebar threadId={threadId} runs={runs.value?.data ?? []} />
      <section className="chat" aria-labelledby="chat-title">
        <div className="chat-header">
          <h1 id="chat-title">
            {chatApi === 'responses' ? 'Responses chat' : threadId ? 'Chat' : 'New chat'}
          </h1>
          {threadId && chatApi === 'runs' && <code className="muted">{threadId}</code>}
          <AssistantSelect
            assistants={list}
            value={assistant?.id ?? ''}
            onChange={(id) => {
              localStorage.setItem(ASSISTANT_KEY, id);
              setAssistantId(id);
            }}
          />
          <div className="field inline">
            <label htmlFor="chat-api">Chat through</label>
            <select
              id="chat-api"
              value={chatApi}
              onChange={(event) => {
                const value = event.target.value === 'responses' ? 'responses' : 'runs';
                localStorage.setItem(API_KEY, value);
                setChatApi(value);
              }}
            >
              <option value="runs">Assistants run</option>
              <option value="responses">Responses</option>
            </select>
          </div>
        </div>
        <ErrorBanner error={assistants.error ?? messages.error} />
        {chatApi === 'responses' ? (
          <ResponsesChatPanel assistant={assistant} />
        ) : (
          <>
            <div className="messages" role="log" aria-label="Messages" aria-busy={chat.streaming}>
              {shown.length === 0 && <p className="muted empty-chat">Send a message to start.</p>}
              {shown.map((message, index) => (
                <Fragment key={message.id}>
                  {index === liveCallsAt && <LiveToolCalls steps={chat.live.steps} />}
                  <MessageView message={message} />
                </Fragment>
              ))}
              {liveCallsAt === shown.length && <LiveToolCalls steps={chat.live.steps} />}
            </div>
            <ErrorBanner error={chat.error ?? chat.live.error} />
            {latestRun && (
              <div className="run-status" role="status">
                Run <code>{latestRun.id}</code> <StatusBadge status={latestRun.status} />
                {latestRun.last_error && (
                  <span className="error-text">{latestRun.last_error.message}</span>
                )}
                {running && latestRun.status !== 'cancelling' && (
                  <button type="button" onClick={() => void chat.cancel(latestRun)}>
                    Cancel run
                  </button>
                )}
              </div>
            )}
            {waiting && (
              <RequiredActionPanel
                key={waiting.required_action?.submit_tool_outputs.tool_calls
                  .map((call) => call.id)
                  .join()}
                calls={waiting.required_action?.submit_tool_outputs.tool_calls ?? []}
                expiresAt={waiting.expires_at}
                onSubmit={(outputs) => chat.submitToolOutputs(waiting, outputs)}
              />
            )}
            <Composer
              disabled={!assistant || running || Boolean(waiting)}
              disabledReason={
                !assistant
                  ? 'Create an assistant first.'
                  : waiting
                    ? 'Answer the run above first.'
                    : running
                      ? 'The assistant is answering…'
                      : undefined
              }
              onSend={chat.send}
            />
          </>
        )}
      </section>
    </div>
  );
}
